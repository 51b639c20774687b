"""Shared by the fuzz tests: every path into a nested document, and a document changed at one path."""


def paths(doc, prefix=()):
    """Every key path into ``doc`` (dicts and lists), the document itself excluded."""
    if prefix:
        yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, prefix + (i,))


DELETE = object()


def mutate(doc, path, value):
    """``doc`` with the value at ``path`` replaced by ``value`` (or removed, for :data:`DELETE`), in place."""
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc
