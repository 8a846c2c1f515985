from app.cycle_b import looped
