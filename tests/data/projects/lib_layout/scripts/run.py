import fluxloop_runtime as fluxloop

from house import house_tool


@fluxloop.trace()  # expect: FLX101
@house_tool
def summarise(text: str) -> str:
    """Summarise."""
    return text
