import { MemberGenerator } from '../../lib/member-generator.js';
import type { PatternOptions } from '../../lib/patterns-generator.js';
import { CLI } from './member.js';

export default class CliGenerator extends MemberGenerator {
  constructor(args: string[], options: PatternOptions) {
    super(args, options, CLI);
  }
}
