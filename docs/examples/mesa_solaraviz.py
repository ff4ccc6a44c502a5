"""itlead under Mesa's own SolaraViz: step, play, pause and reset one run, charts of its measures.

Run it with ``solara run docs/examples/mesa_solaraviz.py`` (needs the ``dashboard`` extra) and open
the address it prints. Reset rebuilds the model from the inputs on the left, as
``LeadershipModel(**inputs)``. To compare structures, use ``itlead dashboard``.
"""

from mesa.visualization import SolaraViz, make_plot_component

from sim.analysis.plot.style import OKABE_ITO
from sim.config.loaders import list_scenarios, list_structures
from sim.config.params import param_defaults, param_infos
from sim.model.mesa_model import LeadershipModel


def slider(name: str, step: float) -> dict:
    """A slider for parameter ``name`` over its plausible range, labelled as in the docs."""
    info = param_infos()[name]
    low, high = info.plausible
    value = param_defaults()[name]
    return {
        "type": "SliderInt" if isinstance(value, int) else "SliderFloat",
        "label": f"{info.label} ({info.unit})",
        "value": value,
        "min": low,
        "max": high,
        "step": step,
    }


model_params = {
    "structure": {"type": "Select", "value": "cio_cto_split", "values": list_structures()},
    "scenario_name": {"type": "Select", "value": "baseline", "values": list_scenarios()},
    "rng": {"type": "SliderInt", "label": "Seed", "value": 0, "min": 0, "max": 99, "step": 1},
    "request_rate": slider("request_rate", 0.05),
    "n_business_units": slider("n_business_units", 1),
}

model = LeadershipModel(**{name: spec["value"] for name, spec in model_params.items()})

components = [
    make_plot_component({"backlog": OKABE_ITO[5]}),
    make_plot_component({"business_trust_mean": OKABE_ITO[4], "perceived_trust": OKABE_ITO[0]}),
    make_plot_component({"exec_utilisation_max": OKABE_ITO[5], "exec_exhaustion": OKABE_ITO[2]}),
]

page = SolaraViz(model, components=components, model_params=model_params, name="itlead")
