/**
 * The member kinds the app generator offers, in prompt order. Adding a member
 * is one module in `generators/<kind>/`, one template folder, one line here.
 */
import type { MemberDefinition } from '../lib/member-generator.js';
import { CLI } from './cli/member.js';

export const MEMBERS: readonly MemberDefinition[] = [
  CLI,
];

/** Members created by `rust-patterns app --defaults`. */
export const DEFAULT_MEMBERS: readonly string[] = ['cli'];
