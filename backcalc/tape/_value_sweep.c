/* The scalar tape's in-place backward sweep, compiled: the same loop as _sweep_in_place in value_sweep.py.

   Optional. When this module is not built (no C compiler at install time) or BACKCALC_PURE_PYTHON is set,
   value_sweep.py runs its own Python loop; the two give the same gradients to the last bit (the tests
   sweep the same random programs both ways). The Value class stays a Python class with __slots__: this
   file reads and writes those slots at the offsets their member descriptors give, and does in C exactly
   what the Python loop does, statement by statement:

   - nodes are placed in a list at root._seq - node._seq the first time a consumer hands them a gradient,
     and the list is read front to back while it fills (same initial length 256, same growth, same bail-out
     past dense_limit, so a graph that falls back to the walk-and-sort sweep does so at the same point);
   - leaves are kept in a set of their own;
   - a first contribution c sets the gradient to `c or 0.0`, later ones add to it, in consumer order;
   - `*` whose factors are the inputs swapped and `+` whose factors are 1 and 1 are handled in the loop, and
     so is a one-input rule (g times its stored factor _la, as value_sweep.factors reads it); any other
     rule's contributions come from the Python function handed_on(node, g, Value);
   - arithmetic on two exact floats is done on C doubles (IEEE binary64, round to nearest: what Python's
     float does; the build turns floating-point contraction off), anything else through the Python number
     protocol, so a .data that is an int or another number type behaves as in the Python loop.

   Every node and leaf the sweep touches is held by a reference of its own until the sweep ends. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#define SLOT(o, off) (*(PyObject **)((char *)(o) + (off)))

typedef struct {
    PyTypeObject *type; /* the Value class the offsets were read from (a reference of our own) */
    Py_ssize_t data, grad, rule, a, b, la, seq;
} Layout;

static Layout layout = {NULL, 0, 0, 0, 0, 0, 0, 0};
static PyObject *ARITY, *ONE; /* "arity" and 1 */

static int
slot_offset(PyTypeObject *type, const char *name, Py_ssize_t *off)
{
    PyObject *descr = PyDict_GetItemString(type->tp_dict, name); /* borrowed */
    if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)
        || ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX) {
        PyErr_Format(PyExc_TypeError, "%s has no __slots__ entry %s", type->tp_name, name);
        return -1;
    }
    *off = ((PyMemberDescrObject *)descr)->d_member->offset;
    return 0;
}

static int
read_layout(PyTypeObject *type)
{
    Layout got;
    if (layout.type == type)
        return 0;
    if (slot_offset(type, "data", &got.data) < 0 || slot_offset(type, "_grad", &got.grad) < 0
        || slot_offset(type, "_rule", &got.rule) < 0 || slot_offset(type, "_a", &got.a) < 0
        || slot_offset(type, "_b", &got.b) < 0 || slot_offset(type, "_la", &got.la) < 0
        || slot_offset(type, "_seq", &got.seq) < 0)
        return -1;
    Py_INCREF(type);
    got.type = type;
    Py_XDECREF(layout.type);
    layout = got;
    return 0;
}

/* A filled slot (borrowed), or NULL with the AttributeError Python would raise. */
static PyObject *
get_slot(PyObject *o, Py_ssize_t off, const char *name)
{
    PyObject *v = SLOT(o, off);
    if (v == NULL)
        PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%s'", Py_TYPE(o)->tp_name, name);
    return v;
}

static void
set_slot(PyObject *o, Py_ssize_t off, PyObject *v) /* steals v */
{
    PyObject *old = SLOT(o, off);
    SLOT(o, off) = v;
    Py_XDECREF(old);
}

static PyObject *
times(PyObject *g, PyObject *x) /* g * x, a new reference */
{
    if (PyFloat_CheckExact(g) && PyFloat_CheckExact(x))
        return PyFloat_FromDouble(PyFloat_AS_DOUBLE(g) * PyFloat_AS_DOUBLE(x));
    return PyNumber_Multiply(g, x);
}

static PyObject *
first_contribution(PyObject *c) /* `c or 0.0`, a new reference */
{
    int truth;
    if (PyFloat_CheckExact(c))
        truth = PyFloat_AS_DOUBLE(c) != 0.0;
    else if ((truth = PyObject_IsTrue(c)) < 0)
        return NULL;
    if (truth) {
        Py_INCREF(c);
        return c;
    }
    return PyFloat_FromDouble(0.0);
}

static int
add_to_grad(PyObject *node, PyObject *c) /* node._grad += c */
{
    PyObject *old = get_slot(node, layout.grad, "_grad"), *sum;
    if (old == NULL)
        return -1;
    if (PyFloat_CheckExact(old) && PyFloat_CheckExact(c))
        sum = PyFloat_FromDouble(PyFloat_AS_DOUBLE(old) + PyFloat_AS_DOUBLE(c));
    else
        sum = PyNumber_InPlaceAdd(old, c);
    if (sum == NULL)
        return -1;
    set_slot(node, layout.grad, sum);
    return 0;
}

static int
set_grad(PyObject *node, PyObject *c) /* node._grad = c or 0.0 */
{
    PyObject *v = first_contribution(c);
    if (v == NULL)
        return -1;
    set_slot(node, layout.grad, v);
    return 0;
}

/* ── the set of leaves: open addressing on the object's address, each entry a reference of its own ── */

typedef struct {
    PyObject **keys;
    size_t mask, used;
} Leaves;

static int
leaves_init(Leaves *s)
{
    s->mask = 255;
    s->used = 0;
    s->keys = PyMem_Calloc(s->mask + 1, sizeof(PyObject *));
    if (s->keys == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static size_t
leaves_home(const Leaves *s, PyObject *o)
{
    size_t h = (size_t)(uintptr_t)o;
    h ^= h >> 4; /* objects are 16-byte aligned */
    h *= (size_t)0x9E3779B97F4A7C15ULL;
    return (h >> 17) & s->mask;
}

static int
leaves_grow(Leaves *s)
{
    Leaves bigger = {NULL, 2 * s->mask + 1, s->used};
    bigger.keys = PyMem_Calloc(bigger.mask + 1, sizeof(PyObject *));
    if (bigger.keys == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t k = 0; k <= s->mask; k++) {
        PyObject *o = s->keys[k];
        if (o != NULL) {
            size_t h = leaves_home(&bigger, o);
            while (bigger.keys[h] != NULL)
                h = (h + 1) & bigger.mask;
            bigger.keys[h] = o;
        }
    }
    PyMem_Free(s->keys);
    *s = bigger;
    return 0;
}

/* 1 if o was in the set, 0 if it has just been added, -1 on error */
static int
leaves_add(Leaves *s, PyObject *o)
{
    size_t h = leaves_home(s, o);
    while (s->keys[h] != NULL) {
        if (s->keys[h] == o)
            return 1;
        h = (h + 1) & s->mask;
    }
    Py_INCREF(o);
    s->keys[h] = o;
    if (++s->used * 2 > s->mask + 1 && leaves_grow(s) < 0)
        return -1;
    return 0;
}

static void
leaves_clear(Leaves *s)
{
    for (size_t k = 0; k <= s->mask; k++)
        Py_XDECREF(s->keys[k]);
    PyMem_Free(s->keys);
}

/* ── the sweep ── */

typedef struct {
    PyObject **order; /* node at root._seq - node._seq, or NULL; each a reference of its own */
    Py_ssize_t len, top, limit;
    Leaves leaves;
} Sweep;

/* Hand the contribution c on to input x of a node. 0: done; 1: past the dense limit; -1: error. */
static int
hand_on(Sweep *sw, PyObject *x, PyObject *c)
{
    PyObject *rule = get_slot(x, layout.rule, "_rule"), *seq;
    Py_ssize_t i;
    if (rule == NULL)
        return -1;
    if (rule == Py_None) {
        int seen = leaves_add(&sw->leaves, x);
        if (seen < 0)
            return -1;
        return seen ? add_to_grad(x, c) : set_grad(x, c);
    }
    if ((seq = get_slot(x, layout.seq, "_seq")) == NULL)
        return -1;
    i = PyLong_AsSsize_t(seq);
    if (i == -1 && PyErr_Occurred())
        return -1;
    i = sw->top - i;
    if (i < 0)
        return 1; /* an input recorded after its consumer: only the walk-and-sort sweep makes sense of it */
    if (i < sw->len) {
        if (sw->order[i] == x)
            return add_to_grad(x, c);
    }
    else {
        Py_ssize_t bigger = i + 1 > 2 * sw->len ? i + 1 : 2 * sw->len;
        PyObject **grown;
        if (i >= sw->limit)
            return 1;
        grown = PyMem_Realloc(sw->order, (size_t)bigger * sizeof(PyObject *));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memset(grown + sw->len, 0, (size_t)(bigger - sw->len) * sizeof(PyObject *));
        sw->order = grown;
        sw->len = bigger;
    }
    Py_INCREF(x);
    Py_XSETREF(sw->order[i], x);
    return set_grad(x, c);
}

/* The contributions (new references) a node hands its two inputs; cb stays NULL where it has no use. */
static int
contributions(PyObject *node, PyObject *g, PyObject *a, PyObject *b, PyObject *swap, PyObject *unit,
              PyObject *handed_on, PyObject **ca, PyObject **cb)
{
    PyTypeObject *Value = layout.type;
    PyObject *rule = SLOT(node, layout.rule), *data;
    if (rule == swap) {
        if (Py_IS_TYPE(b, Value)) {
            if ((data = get_slot(b, layout.data, "data")) == NULL || (*ca = times(g, data)) == NULL)
                return -1;
            if (Py_IS_TYPE(a, Value) && (data = get_slot(a, layout.data, "data")) == NULL)
                return -1;
            *cb = times(g, Py_IS_TYPE(a, Value) ? data : a);
            return *cb == NULL ? -1 : 0;
        }
        *ca = times(g, b);
        return *ca == NULL ? -1 : 0;
    }
    if (rule == unit) {
        Py_INCREF(g);
        Py_INCREF(g);
        *ca = *cb = g;
        return 0;
    }
    { /* a one-input rule: its one factor is stored (value_sweep.factors) */
        PyObject *arity = PyObject_GetAttr(rule, ARITY);
        int one;
        if (arity == NULL)
            return -1;
        one = PyObject_RichCompareBool(arity, ONE, Py_EQ);
        Py_DECREF(arity);
        if (one < 0)
            return -1;
        if (one) {
            PyObject *factor = get_slot(node, layout.la, "_la");
            if (factor == NULL || (*ca = times(g, factor)) == NULL)
                return -1;
            return 0;
        }
    }
    {
        PyObject *pair = PyObject_CallFunctionObjArgs(handed_on, node, g, (PyObject *)Value, NULL);
        if (pair == NULL)
            return -1;
        if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) {
            Py_DECREF(pair);
            PyErr_SetString(PyExc_TypeError, "handed_on must give a pair");
            return -1;
        }
        *ca = Py_NewRef(PyTuple_GET_ITEM(pair, 0));
        *cb = Py_NewRef(PyTuple_GET_ITEM(pair, 1));
        Py_DECREF(pair);
        return 0;
    }
}

/* One node's turn. 0: done; 1: past the dense limit; -1: error. */
static int
visit(Sweep *sw, PyObject *node, PyObject *swap, PyObject *unit, PyObject *handed_on)
{
    PyTypeObject *Value = layout.type;
    PyObject *g, *a, *b, *ca = NULL, *cb = NULL;
    int status = -1;
    if ((g = get_slot(node, layout.grad, "_grad")) == NULL || get_slot(node, layout.rule, "_rule") == NULL
        || (a = get_slot(node, layout.a, "_a")) == NULL || (b = get_slot(node, layout.b, "_b")) == NULL)
        return -1;
    Py_INCREF(g);
    Py_INCREF(a);
    Py_INCREF(b);
    if (contributions(node, g, a, b, swap, unit, handed_on, &ca, &cb) < 0)
        goto done;
    status = 0;
    if (Py_IS_TYPE(a, Value))
        status = hand_on(sw, a, ca);
    if (status == 0 && Py_IS_TYPE(b, Value)) {
        if (cb == NULL) {
            PyErr_SetString(PyExc_TypeError, "no contribution for the second input");
            status = -1;
        }
        else
            status = hand_on(sw, b, cb);
    }
done:
    Py_XDECREF(ca);
    Py_XDECREF(cb);
    Py_DECREF(g);
    Py_DECREF(a);
    Py_DECREF(b);
    return status;
}

static PyObject *
sweep_in_place(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *root, *swap, *unit, *handed_on, *seq, *result = NULL;
    Sweep sw = {NULL, 256, 0, 0, {NULL, 0, 0}};
    int status = 0;
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError,
                        "sweep_in_place(root, Value, swap_rule, unit_rule, handed_on, dense_limit)");
        return NULL;
    }
    root = args[0];
    swap = args[2];
    unit = args[3];
    handed_on = args[4];
    if (!PyType_Check(args[1]) || read_layout((PyTypeObject *)args[1]) < 0)
        return NULL;
    if (!PyObject_TypeCheck(root, layout.type)) {
        PyErr_SetString(PyExc_TypeError, "the root must be a Value");
        return NULL;
    }
    if ((sw.limit = PyLong_AsSsize_t(args[5])) == -1 && PyErr_Occurred())
        return NULL;
    if ((seq = get_slot(root, layout.seq, "_seq")) == NULL)
        return NULL;
    if ((sw.top = PyLong_AsSsize_t(seq)) == -1 && PyErr_Occurred())
        return NULL;
    if ((sw.order = PyMem_Calloc((size_t)sw.len, sizeof(PyObject *))) == NULL)
        return PyErr_NoMemory();
    if (leaves_init(&sw.leaves) < 0) {
        PyMem_Free(sw.order);
        return NULL;
    }
    Py_INCREF(root);
    sw.order[0] = root;
    for (Py_ssize_t k = 0; k < sw.len && status == 0; k++) {
        PyObject *node = sw.order[k];
        if (node != NULL) {
            Py_INCREF(node); /* its place in the list may be taken while it hands on (a hostile _seq) */
            status = visit(&sw, node, swap, unit, handed_on);
            Py_DECREF(node);
        }
    }
    if (status >= 0)
        result = Py_NewRef(status == 0 ? Py_True : Py_False);
    for (Py_ssize_t k = 0; k < sw.len; k++)
        Py_XDECREF(sw.order[k]);
    PyMem_Free(sw.order);
    leaves_clear(&sw.leaves);
    return result;
}

static PyMethodDef methods[] = {
    {"sweep_in_place", (PyCFunction)(void (*)(void))sweep_in_place, METH_FASTCALL,
     "sweep_in_place(root, Value, swap_rule, unit_rule, handed_on, dense_limit) -> bool\n\n"
     "The in-place backward sweep of value_sweep.py, compiled: False when the graph is spread over more than\n"
     "dense_limit sequence numbers (the caller then walks and sorts)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_value_sweep",
    "The scalar tape's in-place backward sweep, compiled (optional; value_sweep.py has the same loop in Python).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__value_sweep(void)
{
    if (ARITY == NULL && (ARITY = PyUnicode_InternFromString("arity")) == NULL)
        return NULL;
    if (ONE == NULL && (ONE = PyLong_FromLong(1)) == NULL)
        return NULL;
    return PyModule_Create(&module_def);
}
