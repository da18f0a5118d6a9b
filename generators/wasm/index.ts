import { MemberGenerator } from '../../lib/member-generator.js';
import type { PatternOptions } from '../../lib/patterns-generator.js';
import { WASM } from './member.js';

export default class WasmGenerator extends MemberGenerator {
  constructor(args: string[], options: PatternOptions) {
    super(args, options, WASM);
  }
}
