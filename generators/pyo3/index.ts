import { MemberGenerator } from '../../lib/member-generator.js';
import type { PatternOptions } from '../../lib/patterns-generator.js';
import { PYO3 } from './member.js';

export default class Pyo3Generator extends MemberGenerator {
  constructor(args: string[], options: PatternOptions) {
    super(args, options, PYO3);
  }
}
