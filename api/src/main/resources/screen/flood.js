// The flood-warning screen: citytwin's zones, its water gauges and its flood incidents, live.
// Built only on the public API (zones, search, history, and the two event streams), so it doubles
// as the example for other screens (docs/screen.md).
"use strict";

import { LiveStream, apiGet } from "/screen/live.js";

const WATERLOGGING = "citytwin:waterlogging-gauge:1.0.0";
const RIVER = "citytwin:water-level-gauge:1.0.0";
const RAIN = "citytwin:rain-gauge:1.0.0";
const GAUGE_FILTER = `in(definition,"${WATERLOGGING}","${RIVER}","${RAIN}")`;
const SEVERITIES = ["blue", "yellow", "orange", "red"];
const CLOSED_STATES = new Set(["closed", "rejected", "merged"]);
const TOKEN_KEY = "citytwin.token";
const SIX_HOURS_MILLIS = 6 * 3600 * 1000;
// A selected gauge's sparkline follows its readings, but asks the history API at most this often.
const SPARKLINE_REFRESH_MILLIS = 10_000;

/** Standing water (metres) to a colour: the thresholds of the shipped flood rule. */
export function depthColour(depth) {
  if (depth === undefined || depth === null) return "#607d8b";
  if (depth < 0.05) return "#2e7d32";
  if (depth < 0.15) return "#1e88e5";
  if (depth < 0.3) return "#fb8c00";
  return "#c62828";
}

/** A river's level against its warning line (metres above it; negative is below). */
function riverColour(aboveWarning) {
  if (aboveWarning === undefined || aboveWarning === null) return "#607d8b";
  if (aboveWarning >= 0) return "#6a1b9a";
  if (aboveWarning > -0.5) return "#fdd835";
  return "#26a69a";
}

/** Rain intensity (mm/h) to a catchment's fill: light, moderate, heavy, short-duration heavy. */
function rainFill(intensity) {
  if (intensity === undefined || intensity < 0.5) return { fillOpacity: 0.04 };
  if (intensity < 2.5) return { fillOpacity: 0.12 };
  if (intensity < 8) return { fillOpacity: 0.25 };
  if (intensity < 16) return { fillOpacity: 0.38 };
  return { fillOpacity: 0.52 };
}

const screen = {
  token: null,
  map: null,
  gauges: new Map(), // thingId -> {thingId, definition, latlng, features, attributes, marker, catchment}
  catchments: new Map(), // zone id -> {id, name, polygons, layer, rainGauges, rain}
  zoneNames: new Map(),
  incidents: new Map(),
  dirty: new Set(),
  frameRequested: false,
  selected: null,
  sparklineDrawnAt: 0,
  loading: true,
  pendingChanges: [],
  streams: [],
  resyncs: 0, // how often a stream's missed changes were gone and state was read again
  ready: false,
};
// For people poking at the wall screen from the browser console, and for the screen's tests.
window.floodScreen = screen;

function readToken() {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function showWho(token) {
  const who = document.getElementById("who");
  if (!token) {
    who.textContent = "open access";
    return;
  }
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    who.textContent = `${claims.sub} · ${claims.department || "whole district"}`;
  } catch (e) {
    who.textContent = "signed in";
  }
  const signOut = document.getElementById("sign-out");
  signOut.hidden = false;
  signOut.onclick = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  };
}

function askForToken(message) {
  const dialog = document.getElementById("sign-in");
  document.getElementById("sign-in-error").textContent = message || "";
  dialog.addEventListener(
    "close",
    () => {
      const token = document.getElementById("token").value.trim();
      if (token) {
        sessionStorage.setItem(TOKEN_KEY, token);
        location.reload();
      }
    },
    { once: true }
  );
  dialog.showModal();
}

function setConnection(state) {
  const element = document.getElementById("connection");
  element.dataset.state = state;
  element.textContent = state;
  if (state === "unauthorised") {
    const hadToken = sessionStorage.getItem(TOKEN_KEY) !== null;
    sessionStorage.removeItem(TOKEN_KEY);
    askForToken(hadToken ? "The token was refused or has expired." : "");
  }
}

// ---- zones ---------------------------------------------------------------------------------

function drawZones(collection) {
  const map = screen.map;
  const styles = {
    district: { color: "#90a4ae", weight: 2, fill: false },
    street: { color: "#455a64", weight: 1, fill: false, dashArray: "4 4" },
    catchment: { color: "#1565c0", weight: 1, fillColor: "#1565c0", fillOpacity: 0.04 },
    river: { color: "#29b6f6", weight: 2, fillColor: "#0288d1", fillOpacity: 0.6 },
    embankment: { color: "#8d6e63", weight: 1, fillColor: "#8d6e63", fillOpacity: 0.25 },
  };
  let bounds = null;
  for (const type of ["district", "street", "catchment", "embankment", "river"]) {
    for (const feature of collection.features.filter((f) => f.properties.type === type)) {
      const name = feature.properties.name || feature.id;
      screen.zoneNames.set(feature.id, name);
      const layer = L.geoJSON(feature, { style: styles[type], interactive: type === "catchment" });
      layer.addTo(map);
      if (type === "catchment") {
        layer.bindTooltip(name, { sticky: true });
        screen.catchments.set(feature.id, {
          id: feature.id,
          name,
          polygons: polygonsOf(feature.geometry),
          layer,
          rainGauges: new Set(), // thing ids: a catchment's rain is redrawn without a scan of every gauge
        });
      }
      if (type === "district" || (bounds === null && type === "catchment")) {
        bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
      }
    }
  }
  for (const feature of collection.features) {
    if (!screen.zoneNames.has(feature.id)) {
      screen.zoneNames.set(feature.id, feature.properties.name || feature.id);
    }
  }
  if (bounds) {
    map.fitBounds(bounds, { padding: [10, 10] });
  }
}

function polygonsOf(geometry) {
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  return [];
}

/** Ray casting on the outer ring, holes subtracted: enough for catchments on a screen. */
function inRing(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) {
      inside = !inside;
    }
  }
  return inside;
}

function catchmentAt(lon, lat) {
  for (const catchment of screen.catchments.values()) {
    for (const polygon of catchment.polygons) {
      if (inRing(polygon[0], lon, lat) && !polygon.slice(1).some((hole) => inRing(hole, lon, lat))) {
        return catchment.id;
      }
    }
  }
  return null;
}

// ---- gauges --------------------------------------------------------------------------------

function property(gauge, feature, name) {
  const f = gauge.features && gauge.features[feature];
  return f && f.properties ? f.properties[name] : undefined;
}

function markerStyle(gauge) {
  switch (gauge.definition) {
    case WATERLOGGING:
      return {
        radius: 6,
        weight: 1,
        color: "#0b1117",
        fillOpacity: 1,
        fillColor: depthColour(property(gauge, "waterlogging", "depth")),
      };
    case RIVER:
      return {
        radius: 8,
        weight: 2,
        color: "#e0f7fa",
        fillOpacity: 1,
        fillColor: riverColour(property(gauge, "level", "aboveWarning")),
      };
    default:
      return { radius: 3, weight: 1, color: "#b0bec5", fillOpacity: 0.8, fillColor: "#eceff1" };
  }
}

function addGauge(thing) {
  const location = thing.attributes && thing.attributes.location;
  if (!location || location.type !== "Point") {
    return;
  }
  const [lon, lat] = location.coordinates;
  const previous = screen.gauges.get(thing.thingId);
  if (previous) {
    previous.marker.remove();
  }
  const gauge = {
    thingId: thing.thingId,
    definition: thing.definition,
    latlng: L.latLng(lat, lon),
    attributes: thing.attributes,
    features: thing.features || {},
    catchment: catchmentAt(lon, lat),
  };
  gauge.marker = L.circleMarker(gauge.latlng, markerStyle(gauge)).addTo(screen.map);
  gauge.marker.on("click", () => select(gauge.thingId));
  screen.gauges.set(gauge.thingId, gauge);
  if (gauge.definition === RAIN && gauge.catchment) {
    screen.catchments.get(gauge.catchment).rainGauges.add(gauge.thingId);
  }
}

async function loadGauges() {
  screen.loading = true;
  screen.pendingChanges = [];
  const fields = "thingId,definition,attributes/location,attributes/hierarchy,attributes/observes,features";
  let cursor = null;
  do {
    const option = "size(200)" + (cursor ? `,cursor(${cursor})` : "");
    const page = await apiGet(
      "/api/2/search/things?filter=" + encodeURIComponent(GAUGE_FILTER) +
        "&fields=" + encodeURIComponent(fields) + "&option=" + encodeURIComponent(option),
      screen.token
    );
    page.items.forEach(addGauge);
    cursor = page.cursor;
  } while (cursor);
  screen.loading = false;
  // Changes streamed while the search ran are newer than (or as new as) what it read.
  screen.pendingChanges.forEach(applyChange);
  screen.pendingChanges = [];
  screen.gauges.forEach((gauge) => screen.dirty.add(gauge.thingId));
  requestFrame();
}

function mergeFeatures(into, changed) {
  for (const [featureId, feature] of Object.entries(changed || {})) {
    if (feature === null) {
      delete into[featureId];
      continue;
    }
    const target = into[featureId] || (into[featureId] = {});
    if (feature.properties) {
      target.properties = Object.assign(target.properties || {}, feature.properties);
    }
  }
}

function applyChange(change) {
  if (screen.loading) {
    screen.pendingChanges.push(change);
    return;
  }
  const gauge = screen.gauges.get(change.thingId);
  if (!gauge) {
    return;
  }
  mergeFeatures(gauge.features, change.features);
  screen.dirty.add(gauge.thingId);
  requestFrame();
}

// ---- drawing, at most once a frame ---------------------------------------------------------

function requestFrame() {
  if (!screen.frameRequested) {
    screen.frameRequested = true;
    requestAnimationFrame(drawFrame);
  }
}

function drawFrame() {
  screen.frameRequested = false;
  const rainy = new Set();
  for (const thingId of screen.dirty) {
    const gauge = screen.gauges.get(thingId);
    if (!gauge) continue;
    gauge.marker.setStyle(markerStyle(gauge));
    if (gauge.definition === RAIN && gauge.catchment) rainy.add(gauge.catchment);
    if (screen.selected === thingId) {
      showFacts(gauge);
      if (performance.now() - screen.sparklineDrawnAt > SPARKLINE_REFRESH_MILLIS) drawSparkline(gauge);
    }
  }
  screen.dirty.clear();
  rainy.forEach(drawRain);
}

function drawRain(catchmentId) {
  const catchment = screen.catchments.get(catchmentId);
  const intensities = [...catchment.rainGauges]
    .map((thingId) => property(screen.gauges.get(thingId), "rain", "intensity"))
    .filter((v) => typeof v === "number");
  const mean = intensities.length ? intensities.reduce((a, b) => a + b, 0) / intensities.length : undefined;
  catchment.rain = mean;
  catchment.layer.setStyle(rainFill(mean));
  catchment.layer.setTooltipContent(
    mean === undefined ? catchment.name : `${catchment.name}: rain ${mean.toFixed(1)} mm/h`
  );
}

// ---- incidents and the banner --------------------------------------------------------------

function putIncident(incident) {
  const known = screen.incidents.get(incident.id);
  if (known && known.updatedAt > incident.updatedAt) {
    return;
  }
  screen.incidents.set(incident.id, incident);
  drawIncidents();
}

async function loadIncidents() {
  const incidents = await apiGet("/api/incidents?type=flood&open=true&limit=500", screen.token);
  incidents.forEach(putIncident);
  drawIncidents();
}

function isOpen(incident) {
  return !CLOSED_STATES.has(incident.state);
}

function drawIncidents() {
  const open = [...screen.incidents.values()]
    .filter(isOpen)
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
        b.raisedAt.localeCompare(a.raisedAt)
    );
  const list = document.getElementById("incidents");
  list.replaceChildren(
    ...open.map((incident) => {
      const item = document.createElement("li");
      item.className = "severity-" + incident.severity;
      item.dataset.incidentId = incident.id;
      item.dataset.severity = incident.severity;
      const where = screen.zoneNames.get(incident.scope.id) || incident.scope.id;
      const what = document.createElement("div");
      what.className = "what";
      what.textContent = `${incident.severity.toUpperCase()} · ${where}`;
      const when = document.createElement("div");
      when.className = "when";
      when.textContent =
        `${incident.state} · raised ${new Date(incident.raisedAt).toLocaleTimeString()}` +
        (incident.team ? ` · team ${incident.team}` : "");
      item.append(what, when);
      item.onclick = () => {
        const [lon, lat] = incident.location.coordinates;
        screen.map.setView([lat, lon], Math.max(screen.map.getZoom(), 14));
      };
      return item;
    })
  );
  document.getElementById("incident-count").textContent = String(open.length);
  document.getElementById("no-incidents").hidden = open.length > 0;
  const level = open.reduce(
    (worst, incident) => Math.max(worst, SEVERITIES.indexOf(incident.severity)),
    -1
  );
  const banner = document.getElementById("banner");
  const name = level < 0 ? "none" : SEVERITIES[level];
  banner.className = "level-" + name;
  banner.dataset.level = name;
  banner.textContent =
    level < 0 ? "No flood warning" : `${name.toUpperCase()} flood warning · ${open.length} open`;
}

// ---- one gauge: its twin and six hours of history ------------------------------------------

function select(thingId) {
  screen.selected = thingId;
  const gauge = screen.gauges.get(thingId);
  document.getElementById("gauge").hidden = false;
  document.getElementById("gauge-title").textContent = thingId;
  showFacts(gauge);
  drawSparkline(gauge);
}

function showFacts(gauge) {
  const facts = [["kind", gauge.definition.split(":")[1]]];
  const hierarchy = gauge.attributes.hierarchy || {};
  if (gauge.attributes.observes) facts.push(["observes", gauge.attributes.observes]);
  if (gauge.catchment) facts.push(["catchment", screen.zoneNames.get(gauge.catchment)]);
  if (hierarchy.street) facts.push(["street", hierarchy.street]);
  if (hierarchy.community) facts.push(["community", hierarchy.community]);
  for (const [featureId, feature] of Object.entries(gauge.features)) {
    for (const [name, value] of Object.entries(feature.properties || {})) {
      facts.push([`${featureId}/${name}`, typeof value === "number" ? +value.toFixed(3) : JSON.stringify(value)]);
    }
  }
  document.getElementById("gauge-facts").replaceChildren(
    ...facts.flatMap(([term, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      return [dt, dd];
    })
  );
}

const PLOTTED = {
  [WATERLOGGING]: ["waterlogging", "depth", "m", 0.15],
  [RIVER]: ["level", "aboveWarning", "m", 0],
  [RAIN]: ["rain", "intensity", "mm/h", 16],
};

async function drawSparkline(gauge) {
  const [feature, name, unit, line] = PLOTTED[gauge.definition];
  const svg = document.getElementById("sparkline");
  const caption = document.getElementById("sparkline-range");
  screen.sparklineDrawnAt = performance.now();
  const to = new Date();
  const from = new Date(to.getTime() - SIX_HOURS_MILLIS);
  let answer;
  try {
    answer = await apiGet(
      `/api/history/things/${encodeURIComponent(gauge.thingId)}/features/${feature}/properties/${name}` +
        `?from=${from.toISOString()}&to=${to.toISOString()}&bucket=PT5M`,
      screen.token
    );
  } catch (e) {
    caption.textContent = "history unavailable: " + e.message;
    svg.replaceChildren();
    return;
  }
  if (screen.selected !== gauge.thingId) return;
  const points = answer.buckets.filter((b) => typeof b.max === "number");
  svg.dataset.points = String(points.length);
  if (points.length === 0) {
    svg.replaceChildren();
    caption.textContent = "no readings in the last 6 hours";
    return;
  }
  const values = points.map((b) => b.max);
  const low = Math.min(line, ...values);
  const high = Math.max(line, ...values);
  const span = high - low || 1;
  // 3 units kept clear on every side, so that the latest value's dot is never cut in half.
  const x = (b) => 3 + ((new Date(b.start).getTime() - from.getTime()) / SIX_HOURS_MILLIS) * 294;
  const y = (v) => 57 - ((v - low) / span) * 54;
  const ns = "http://www.w3.org/2000/svg";
  const polyline = document.createElementNS(ns, "polyline");
  polyline.setAttribute("points", points.map((b) => `${x(b).toFixed(1)},${y(b.max).toFixed(1)}`).join(" "));
  const warning = document.createElementNS(ns, "line");
  warning.setAttribute("x1", "0");
  warning.setAttribute("x2", "300");
  warning.setAttribute("y1", y(line).toFixed(1));
  warning.setAttribute("y2", y(line).toFixed(1));
  // The latest value as a dot: also what shows when there is only one 5-minute bucket yet.
  const latest = document.createElementNS(ns, "circle");
  const last = points[points.length - 1];
  latest.setAttribute("cx", x(last).toFixed(1));
  latest.setAttribute("cy", y(last.max).toFixed(1));
  latest.setAttribute("r", "2.5");
  svg.replaceChildren(warning, polyline, latest);
  caption.textContent = `${name}, highest per 5 min: ${Math.min(...values).toFixed(2)} to ${Math.max(...values).toFixed(2)} ${unit}; dashed: ${line} ${unit}`;
}

// ---- start ---------------------------------------------------------------------------------

function startStreams() {
  const token = () => screen.token;
  const twins = new LiveStream(
    "/api/2/things?filter=" + encodeURIComponent(GAUGE_FILTER),
    {
      token,
      onEvent: applyChange,
      onResync: () => {
        screen.resyncs++;
        loadGauges();
      },
      onStatus: setConnection,
    }
  ).start();
  const incidents = new LiveStream("/api/incidents?type=flood", {
    token,
    onEvent: putIncident,
    onResync: () => {
      screen.resyncs++;
      loadIncidents();
    },
    onStatus: setConnection,
  }).start();
  screen.streams = [twins, incidents];
}

async function start() {
  screen.token = readToken();
  screen.map = L.map("map", { preferCanvas: true, zoomSnap: 0.25, attributionControl: true });
  screen.map.setView([30.315, 120.15], 13);
  let zones;
  try {
    zones = await apiGet("/api/zones", screen.token);
  } catch (e) {
    if (e.status === 401) {
      setConnection("unauthorised");
      return;
    }
    throw e;
  }
  showWho(screen.token);
  drawZones(zones);
  // Subscribe before reading state, so that no change falls between the two.
  startStreams();
  await Promise.all([loadGauges(), loadIncidents()]);
  screen.ready = true;
  document.body.dataset.ready = "true";
}

start().catch((e) => {
  console.warn("the flood screen could not start:", e);
  setConnection("reconnecting");
  setTimeout(() => location.reload(), 5000);
});
