"""Reading YAML a user (or anyone) wrote, with the size of what it expands to bounded.

PyYAML's safe loader runs no code, but an alias names a whole subtree, so a few hundred
bytes of nested aliases (a "billion laughs" document) stand for billions of nodes, and
any code that walks the result hangs. :func:`safe_load` composes the node graph, counts
the nodes the document expands to (each shared node once per reference, in time linear
in the graph), and refuses a document that is too large, expands too far or refers to
itself, before anything walks it. PyYAML offers no such bound; this is ours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: The largest YAML document read, in characters.
MAX_DOCUMENT_CHARS = 16 << 20
#: The most nodes a document may expand to once every alias is replaced by its subtree.
MAX_EXPANDED_NODES = 1_000_000


class YamlLimitError(yaml.YAMLError):
    """A YAML document too large, expanding too far through aliases, or self-referring."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


def _expanded_size(root: yaml.Node) -> int:
    """Nodes ``root`` stands for with every alias expanded (stops past the limit)."""
    sizes: dict[int, int] = {}
    # Iterative post-order walk: a deep document must not exhaust the Python stack.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if not children_done:
            if key in open_nodes:
                raise YamlLimitError("an alias refers to a node that contains it")
            open_nodes.add(key)
            stack.append((node, True))
            for child in children:
                if id(child) in open_nodes:
                    raise YamlLimitError("an alias refers to a node that contains it")
                if id(child) not in sizes:
                    stack.append((child, False))
            continue
        open_nodes.discard(key)
        sizes[key] = min(1 + sum(sizes[id(c)] for c in children), MAX_EXPANDED_NODES + 1)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def check_yaml_file_size(path: Path) -> None:
    """Refuses, before reading it, a YAML file too large to be one (YamlLimitError)."""
    size = path.stat().st_size
    if size > MAX_DOCUMENT_CHARS:
        raise YamlLimitError(
            f"the file has {size:,} bytes; at most {MAX_DOCUMENT_CHARS:,} are read"
        )


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` of one document, refusing one that is too large to walk.

    Raises:
        yaml.YAMLError: for malformed YAML, or (:class:`YamlLimitError`) a document over
            ``MAX_DOCUMENT_CHARS`` characters or expanding to more than
            ``MAX_EXPANDED_NODES`` nodes.
    """
    if len(text) > MAX_DOCUMENT_CHARS:
        raise YamlLimitError(
            f"the document has {len(text):,} characters; at most {MAX_DOCUMENT_CHARS:,} are read"
        )
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_EXPANDED_NODES:
            raise YamlLimitError(
                f"its aliases expand it to more than {MAX_EXPANDED_NODES:,} values (an alias bomb?)"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()
