"""The rules on hand-written FluxLoop instrumentation (Pattern A: `push_observation()`,
`pop_observation()` and the guards and `try` around them).

- `analysis`: the model of one function's pushes, pops, guards and `try` blocks, built once
  per function and shared by the rules (FLX206, an SDK-only rule, reads it too);
- `predicates`: what a node's shape says (an `if` test about a name, a binding, a `yield`);
- `rule`: the base class that hands each rule the analysis of every function;
- `pieces`: the parts of Pattern A the fixes put together; `wrap`: the fix FLX201 and
  FLX202 share;
- one module per rule (FLX201-FLX205, FLX301): its message, documentation, check, fix and
  examples; `examples`: correct shapes several rules keep as VALID examples.
"""
