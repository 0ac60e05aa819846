// How often live pages ask again. The API reads progress live from the workflow, so a second is
// fresh enough to watch a move without loading the server.
export const LIVE_POLL_MS = 1_000;
export const LIST_POLL_MS = 5_000;
