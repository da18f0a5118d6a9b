/** The app generator's option table: the workspace, its members, and every member's own options. */
import { DEFAULTS, ERRORS, SKIP_GIT, SUPPLY_CHAIN, nameOption, type ListOption, type OptionSpec } from '../../lib/options.js';
import { DEFAULT_MEMBERS, MEMBERS } from '../members.js';

export const WORKSPACE_NAME = nameOption('workspace', 'my-workspace');

export const MEMBER_KINDS = {
  kind: 'list',
  flag: 'members',
  description: 'Members to create, comma-separated',
  prompt: 'Which members should the workspace have?',
  default: DEFAULT_MEMBERS,
  choices: MEMBERS.map((m) => ({ value: m.kind, name: `${m.kind}: ${m.description}` })),
} as const satisfies ListOption;

/** Each member option once, even where several members share a flag. */
export const MEMBER_OPTIONS: readonly OptionSpec[] = [
  ...new Map(MEMBERS.flatMap((m) => m.options).map((o) => [o.flag, o])).values(),
];

export const APP_OPTIONS = [WORKSPACE_NAME, MEMBER_KINDS, ERRORS, SUPPLY_CHAIN, DEFAULTS, SKIP_GIT, ...MEMBER_OPTIONS] as const;
