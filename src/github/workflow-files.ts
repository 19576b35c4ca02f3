/**
 * Workflow files at git tags, as planning already read them (GraphQL tag snapshots), so choosing
 * a workflow costs no more requests. A file not known here is read with the contents API.
 */
export class WorkflowFileCache {
  private readonly byTag = new Map<string, Map<string, string>>();

  private key(repo: string, tag: string): string {
    return `${repo}\u0000${tag}`;
  }

  remember(repo: string, tag: string, files: Map<string, string>): void {
    this.byTag.set(this.key(repo, tag), files);
  }

  /** The file's text; `null` when the tag's workflow files are known and this one is not among them; undefined when unknown. */
  lookup(repo: string, tag: string, path: string): string | null | undefined {
    const files = this.byTag.get(this.key(repo, tag));
    if (!files) return undefined;
    return files.get(path) ?? null;
  }
}
