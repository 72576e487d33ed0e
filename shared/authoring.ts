/**
 * Idle Authors become Readers (`idsync inactive --downgrade-authors`), written once. Pure.
 *
 * An *authoring* event is a QuickSight write on an asset: a Create, Update or Delete call (and
 * their variants: permissions, published versions, folder memberships, restores) on analyses,
 * dashboards, datasets, data sources, templates, themes, topics or folders. The activity record
 * keeps each user's newest one (`authored`, shared/activity-record.ts) next to its newest
 * activity of any kind. Counting more events as authoring keeps more Authors: when in doubt, an
 * Author is not idle.
 *
 * An Author (Author Pro) with no authoring event within the N days of the idle rule becomes a
 * Reader (Reader Pro); it is never deleted for it.
 */

const AUTHORING =
  /^(Create|Update|Delete|Restore)(Analysis|Dashboard|DataSet|DataSource|Template|Theme|Topic|Folder)/;

export function isAuthoringEvent(eventName: string): boolean {
  return AUTHORING.test(eventName);
}

/** The role an idle Author is downgraded to, by its role now. */
export const AUTHOR_DOWNGRADES: Readonly<Record<string, string>> = {
  AUTHOR: 'READER',
  AUTHOR_PRO: 'READER_PRO',
};

/** The roles `--downgrade-authors` judges. */
export const DOWNGRADED_AUTHOR_ROLES: readonly string[] = Object.keys(AUTHOR_DOWNGRADES);

/** What an idle user of `role` is downgraded to (undefined: not an Author role). */
export function authorDowngradeOf(role: string): string | undefined {
  return AUTHOR_DOWNGRADES[role.trim().toUpperCase()];
}
