// Every workflow the worker runs (the bundle's entry point).
export { clientSiteMove } from './clientSiteMove';
export { moveOutcomeEmail } from './moveOutcomeEmail';
export { moveWarningsEmail } from './moveWarningsEmail';
