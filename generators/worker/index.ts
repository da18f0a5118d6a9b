import { memberGenerator } from '../../lib/member-generator.js';
import { WORKER } from './member.js';

export default class WorkerGenerator extends memberGenerator(WORKER) {}
