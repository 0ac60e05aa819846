// The "More" menu on a client's row, as in Connect: Client Site Move (for a T2 Super Admin) and the
// client's moves. A disclosure: the button opens a list of links; Escape or leaving it closes it.
import { useId, useRef, useState, type ReactElement } from 'react';
import { Link } from 'react-router';
import { useCanChangeMoves } from '../session/operator';

export function ClientMoreMenu({ client }: { client: { id: string; name: string } }): ReactElement {
  const [open, setOpen] = useState(false);
  const canChangeMoves = useCanChangeMoves();
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  return (
    <div
      className="more-menu"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          setOpen(false);
          button.current?.focus();
        }
      }}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        className="button-secondary"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={`More for ${client.name}`}
        onClick={() => setOpen(!open)}
      >
        More
      </button>
      <ul id={menuId} hidden={!open} className="more-menu-list">
        {canChangeMoves && (
          <li>
            <Link to={`/clients/${client.id}/site-move`}>Client Site Move</Link>
          </li>
        )}
        <li>
          <Link to={`/moves?client=${client.id}`}>Moves of this client</Link>
        </li>
      </ul>
    </div>
  );
}
