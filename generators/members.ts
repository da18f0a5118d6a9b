/**
 * The member kinds the app generator offers, in prompt order. Adding a member
 * is one module in `generators/<kind>/`, one template folder, one line here.
 */
import type { MemberDefinition } from '../lib/member-generator.js';
import { CLI } from './cli/member.js';
import { PYO3 } from './pyo3/member.js';
import { SERVICE } from './service/member.js';
import { WASM } from './wasm/member.js';
import { WORKER } from './worker/member.js';

export const MEMBERS: readonly MemberDefinition[] = [CLI, SERVICE, WORKER, WASM, PYO3];

/** Members created by `rust-patterns app --defaults`. */
export const DEFAULT_MEMBERS: readonly string[] = ['cli', 'service'];
