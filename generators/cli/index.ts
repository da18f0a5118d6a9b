import { memberGenerator } from '../../lib/member-generator.js';
import { CLI } from './member.js';

export default class CliGenerator extends memberGenerator(CLI) {}
