// Schedule Push Upgrades: the waves editor. Each wave has a name, a selector (a percent of the eligible
// orgs, a SOQL condition on PackageSubscriber, a list of org keys, or "the rest", which only the last wave
// may be) and a bake time; waves are added, removed and moved up or down. The request shape is
// docs/rollouts.md's: waves: [{name, percent | where | orgKeys, bakeTime}].
import { h } from "../core.js";

const kinds = [["percent", "Percent of the eligible orgs"], ["where", "SOQL condition"], ["orgKeys", "Org keys"], ["rest", "The rest"]];

export function wavesEditor(onChange) {
  const waves = [];
  const list = h("ol", { id: "waves-editor", class: "waves-editor" });
  let serial = 0;

  function render() {
    list.replaceChildren(...waves.map((w, i) => waveItem(w, i)));
    onChange();
  }

  function waveItem(w, i) {
    const id = `wave-${w.key}`;
    const valueInput = w.kind === "percent" ? h("input", { type: "number", min: 1, max: 100, step: "any", id: `${id}-value`, value: w.value, oninput: e => { w.value = e.target.value; } })
      : w.kind === "where" ? h("input", { type: "text", id: `${id}-value`, placeholder: "OrgType = 'Sandbox'", value: w.value, oninput: e => { w.value = e.target.value; } })
      : w.kind === "orgKeys" ? h("textarea", { id: `${id}-value`, placeholder: "00D… (one per line)", oninput: e => { w.value = e.target.value; } }, w.value)
      : null;
    return h("li", { class: "wave card", "data-wave": i + 1 },
      h("div", { class: "row" },
        h("label", { for: `${id}-name` }, `Wave ${i + 1} name`),
        h("input", { id: `${id}-name`, class: "wave-name", value: w.name, required: true, oninput: e => { w.name = e.target.value; } }),
        h("label", { for: `${id}-kind` }, "Takes"),
        h("select", { id: `${id}-kind`, class: "wave-kind", onchange: e => { w.kind = e.target.value; w.value = ""; render(); } },
          kinds.map(([value, label]) => h("option", { value, selected: value === w.kind }, label))),
        valueInput ? h("label", { for: `${id}-value` }, w.kind === "percent" ? "Percent" : w.kind === "where" ? "Condition" : "Org keys") : "",
        valueInput || "",
        h("label", { for: `${id}-bake` }, "Bake time (minutes)"),
        h("input", { type: "number", min: 0, id: `${id}-bake`, class: "wave-bake", value: w.bake, oninput: e => { w.bake = e.target.value; } })),
      h("div", { class: "row" },
        h("button", { type: "button", class: "wave-up", disabled: i === 0, "aria-label": `Move wave ${i + 1} up`, onclick: () => move(i, -1) }, "↑ Up"),
        h("button", { type: "button", class: "wave-down", disabled: i === waves.length - 1, "aria-label": `Move wave ${i + 1} down`, onclick: () => move(i, 1) }, "↓ Down"),
        h("button", { type: "button", class: "wave-remove", "aria-label": `Remove wave ${i + 1}`, onclick: () => { waves.splice(i, 1); render(); } }, "Remove")));
  }

  function move(i, by) {
    const [w] = waves.splice(i, 1);
    waves.splice(i + by, 0, w);
    render();
  }

  const element = h("fieldset", { id: "waves-fieldset" }, h("legend", {}, "Waves (optional)"),
    h("p", { class: "muted" }, "Waves split the selected orgs in order; each starts once the one before has finished and its bake time has passed. Only the last wave may take the rest."),
    list,
    h("button", { type: "button", id: "add-wave", onclick: () => { waves.push({ key: ++serial, name: `wave ${waves.length + 1}`, kind: waves.length ? "rest" : "percent", value: "", bake: "" }); render(); } }, "Add wave"));

  return {
    element,
    /** The waves as the API takes them, or undefined when there are none. */
    value() {
      if (!waves.length) return undefined;
      return waves.map(w => {
        const wave = { name: w.name.trim() };
        if (w.kind === "percent") wave.percent = Number(w.value);
        if (w.kind === "where") wave.where = w.value.trim();
        if (w.kind === "orgKeys") wave.orgKeys = w.value.split(/[\s,]+/).filter(Boolean);
        if (w.bake !== "" && w.bake !== undefined) wave.bakeTime = `PT${Number(w.bake)}M`;
        return wave;
      });
    },
  };
}
