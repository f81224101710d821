import { setImages } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { renderVersionsEdit, versionsEditReport } from '../report/versions-view.js';

export default class SetImage extends BoutiqueCommand {
  static override description =
    "Pin image versions in the environment's versions file (versions/<environment>.yaml), keeping its comments: RELEASE=TAG or RELEASE=sha256:DIGEST. Prints the change as a diff.";

  static override strict = false;
  static override examples = ['<%= config.bin %> set-image -e dev frontend=3f2a1c9 cartservice=3f2a1c9'];

  protected async outcome(): Promise<Outcome> {
    const { argv } = await this.parseFlags(SetImage);
    const before = this.loadConfig();
    const edit = setImages(before, argv as string[]);
    return {
      results: [versionsEditReport(edit)],
      text: renderVersionsEdit(edit),
      summary: await this.warnOnUnreadVersions(before, edit.changes),
    };
  }
}
