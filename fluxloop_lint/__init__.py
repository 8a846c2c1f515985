"""fluxloop-lint: finds FluxLoop instrumentation that breaks agent frameworks or loses observations."""

__version__ = "0.1.0"
