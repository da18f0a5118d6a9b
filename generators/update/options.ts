/** The update generator's option table: `--check`, and every stored or member option, to answer again. */
import { ERRORS, SUPPLY_CHAIN, type BooleanOption, type OptionSpec } from '../../lib/options.js';
import { MEMBER_OPTIONS } from '../app/options.js';

export const CHECK = {
  kind: 'boolean',
  flag: 'check',
  description:
    'Write nothing; exit 1 when the current generator would change the workspace (its templates or pins moved since the baseline), 0 when up to date. Your own edits never count',
  default: false,
} as const satisfies BooleanOption;

export const UPDATE_OPTIONS: readonly OptionSpec[] = [CHECK, ERRORS, SUPPLY_CHAIN, ...MEMBER_OPTIONS];
