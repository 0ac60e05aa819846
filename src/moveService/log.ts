// Where the service layer writes what its caller should know but not fail on (pino's Logger fits).
export interface ServiceLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}
