/** The parse tree, shaped like Go's text/template/parse nodes. */

export interface Located {
  /** Offset of the node in the template text. */
  readonly pos: number;
  readonly line: number;
}

export type Node = ListNode | TextNode | ActionNode | CommentNode | BranchNode | TemplateCallNode | BreakNode | ContinueNode;

export interface ListNode extends Located {
  readonly type: 'list';
  readonly nodes: Node[];
}
export interface TextNode extends Located {
  readonly type: 'text';
  readonly text: string;
}
export interface CommentNode extends Located {
  readonly type: 'comment';
  readonly text: string;
}
export interface ActionNode extends Located {
  readonly type: 'action';
  readonly pipe: PipeNode;
}
export interface BranchNode extends Located {
  readonly type: 'if' | 'range' | 'with';
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}
export interface TemplateCallNode extends Located {
  readonly type: 'template';
  readonly name: string;
  readonly pipe: PipeNode | undefined;
}
export interface BreakNode extends Located {
  readonly type: 'break';
}
export interface ContinueNode extends Located {
  readonly type: 'continue';
}

export interface PipeNode extends Located {
  readonly type: 'pipe';
  readonly isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
export interface CommandNode extends Located {
  readonly type: 'command';
  readonly args: ArgNode[];
}

export type ArgNode = IdentifierNode | VariableNode | DotNode | NilNode | FieldNode | ChainNode | BoolNode | NumberNode | StringNode | PipeNode;

export interface IdentifierNode extends Located {
  readonly type: 'identifier';
  readonly ident: string;
}
export interface VariableNode extends Located {
  readonly type: 'variable';
  /** `$x.A.B` is ["$x", "A", "B"]. */
  readonly ident: string[];
}
export interface DotNode extends Located {
  readonly type: 'dot';
}
export interface NilNode extends Located {
  readonly type: 'nil';
}
export interface FieldNode extends Located {
  readonly type: 'field';
  /** `.A.B` is ["A", "B"]. */
  readonly ident: string[];
}
export interface ChainNode extends Located {
  readonly type: 'chain';
  readonly node: ArgNode;
  readonly field: string[];
}
export interface BoolNode extends Located {
  readonly type: 'bool';
  readonly value: boolean;
}
export interface NumberNode extends Located {
  readonly type: 'number';
  readonly value: number | bigint;
  readonly isFloat: boolean;
  readonly text: string;
}
export interface StringNode extends Located {
  readonly type: 'string';
  /** The quoted form as written. */
  readonly quoted: string;
  readonly text: string;
}

/** The node as Go's Node.String() prints it (used in error context). */
export function nodeString(n: Node | ArgNode | CommandNode): string {
  switch (n.type) {
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'text':
      return n.text;
    case 'comment':
      return `{{${n.text}}}`;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'range':
    case 'with': {
      const elsePart = n.elseList ? `{{else}}${nodeString(n.elseList)}` : '';
      return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${elsePart}{{end}}`;
    }
    case 'template':
      return n.pipe ? `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${JSON.stringify(n.name)}}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = `${n.decl.map(nodeString).join(', ')} ${n.isAssign ? '=' : ':='} `;
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'identifier':
      return n.ident;
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'field':
      return n.ident.map((i) => `.${i}`).join('');
    case 'chain': {
      const inner = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.field.map((f) => `.${f}`).join('');
    }
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
  }
}
