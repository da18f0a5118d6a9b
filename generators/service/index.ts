import { MemberGenerator } from '../../lib/member-generator.js';
import type { PatternOptions } from '../../lib/patterns-generator.js';
import { SERVICE } from './member.js';

export default class ServiceGenerator extends MemberGenerator {
  constructor(args: string[], options: PatternOptions) {
    super(args, options, SERVICE);
  }
}
