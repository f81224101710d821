/** What the semantic checks and the values reader may ask of the file system; injected so they stay testable. */
export interface FileProbe {
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
  /** The file's text; called only for paths isFile accepted. */
  readText(path: string): string;
}
