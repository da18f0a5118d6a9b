import { memberGenerator } from '../../lib/member-generator.js';
import { SERVICE } from './member.js';

export default class ServiceGenerator extends memberGenerator(SERVICE) {}
