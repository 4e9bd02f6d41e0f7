/**
 * The one help renderer: every `--help` text, for a command or a group, comes from its spec
 * (`command.ts`). Blocks are separated by one blank line; flags line up per command.
 */
import type { CommandSpec, FlagSection, FlagSpec, GroupSpec } from './command.ts';

function flagText(flag: FlagSpec): string {
  return flag.default === undefined ? flag.text : `${flag.text} (default: ${flag.default})`;
}

function table(rows: readonly (readonly [string, string])[], width: number): string[] {
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function labelWidth(sections: readonly FlagSection[]): number {
  return Math.max(0, ...sections.flatMap((s) => s.flags.map((f) => f.label.length)));
}

function sectionBlocks(sections: readonly FlagSection[]): string[][] {
  const width = labelWidth(sections);
  return sections.map((section) => [
    `${section.title}:`,
    ...table(
      section.flags.map((flag) => [flag.label, flagText(flag)] as const),
      width,
    ),
  ]);
}

function render(blocks: readonly (readonly string[])[]): string {
  return `${blocks
    .filter((block) => block.length > 0)
    .map((block) => block.join('\n'))
    .join('\n\n')}\n`;
}

/** `stagecraft <command> --help`. */
export function renderCommandHelp(spec: CommandSpec): string {
  return render([
    [`Usage: ${spec.usage}`],
    spec.description,
    ...sectionBlocks(spec.sections),
    spec.exitCodes === undefined ? [] : ['Exit codes:', ...spec.exitCodes.map((l) => `  ${l}`)],
    spec.examples === undefined ? [] : ['Examples:', ...spec.examples.map((l) => `  ${l}`)],
  ]);
}

/** `stagecraft --help`, `stagecraft release --help`. */
export function renderGroupHelp(group: GroupSpec): string {
  const width = Math.max(0, ...group.commands.map((c) => c.name.length));
  return render([
    [`Usage: ${group.usage}`],
    group.description,
    [
      'Commands:',
      ...table(
        group.commands.map((c) => [c.name, c.summary] as const),
        width,
      ),
    ],
    ...group.sections.map((section) => sectionBlocks([section])[0] ?? []),
    group.footer ?? [],
  ]);
}
