"""A FluxLoop-compatible runtime: context, observations, decorators and an offline store."""
