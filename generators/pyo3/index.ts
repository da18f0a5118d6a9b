import { memberGenerator } from '../../lib/member-generator.js';
import { PYO3 } from './member.js';

export default class Pyo3Generator extends memberGenerator(PYO3) {}
