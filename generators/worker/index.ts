import { MemberGenerator } from '../../lib/member-generator.js';
import type { PatternOptions } from '../../lib/patterns-generator.js';
import { WORKER } from './member.js';

export default class WorkerGenerator extends MemberGenerator {
  constructor(args: string[], options: PatternOptions) {
    super(args, options, WORKER);
  }
}
