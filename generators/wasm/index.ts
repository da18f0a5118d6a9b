import { memberGenerator } from '../../lib/member-generator.js';
import { WASM } from './member.js';

export default class WasmGenerator extends memberGenerator(WASM) {}
