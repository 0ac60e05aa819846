// Each page's h1: it names the page in the tab title too, and takes focus when the page opens so a
// screen reader or keyboard user starts at the top of what changed.
import { useEffect, useRef, type ReactNode, type ReactElement } from 'react';

export function PageHeading({ title, children }: { title: string; children?: ReactNode }): ReactElement {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Connect Site Move`;
    heading.current?.focus();
  }, [title]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}
