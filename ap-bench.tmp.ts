import { measureArgumentRules } from '#test/bench/argument-rules.ts';
import { measureFieldRules } from '#test/bench/field-rules.ts';

console.table(await measureArgumentRules(2000));
console.table(measureFieldRules(2000));
