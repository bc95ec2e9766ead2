import { round } from './stats.ts';

interface Goal {
  goal: string;
  figure: number;
  target: string;
  met: boolean;
}

const ledger: Goal[] = [];

/**
 * Notes a figure against its goal for the summary `npm run bench` prints last, and answers the
 * cell its own table shows: the figure and whether the goal is met.
 *
 * @example
 * row['over floor p50 ms (goal <= 1)'] = judge('get_order_status: added p50 over the floor, ms', over50, '<=', 1);
 */
export function judge(goal: string, figure: number, comparison: '<=' | '>=', target: number) {
  const met = comparison === '<=' ? figure <= target : figure >= target;
  ledger.push({ goal, figure: round(figure, 3), target: `${comparison} ${target}`, met });
  return `${round(figure, 3)} ${met ? 'met' : 'NOT met'}`;
}

/** Every goal judged in this run, in order: the table that closes `npm run bench`. */
export function goalSummary() {
  return ledger.map(({ goal, figure, target, met }) => ({
    goal,
    figure,
    target,
    met: met ? 'met' : 'NOT met',
  }));
}
