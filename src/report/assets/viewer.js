(function () {
  'use strict';

  function decode(b64, n, what) {
    var s = atob(b64);
    if (s.length !== n) throw new Error(what + ': ' + s.length + ' bytes, expected ' + n);
    var a = new Uint8Array(n);
    for (var i = 0; i < n; i++) a[i] = s.charCodeAt(i);
    return a;
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }

  // The report's palette (report/colormap.h), so the viewer draws relevance
  // and outlines in exactly the colours of the figures and the legend.
  var STYLE = null;
  function style() {
    if (!STYLE) {
      var node = document.getElementById('viewer-style');
      if (!node) throw new Error('no viewer style (#viewer-style)');
      STYLE = JSON.parse(node.textContent);
      if (!STYLE.colormap || STYLE.colormap.length < 2) throw new Error('viewer style has no colormap');
    }
    return STYLE;
  }

  // The diverging colormap on [-1, 1] from the lookup table.
  function diverging(v) {
    var lut = style().colormap, n = lut.length;
    v = Math.max(-1, Math.min(1, v));
    return lut[Math.round((v + 1) / 2 * (n - 1))];
  }

  function fmt(x) {
    if (x === 0) return '0';
    var a = Math.abs(x);
    return a >= 0.01 && a < 1000 ? x.toPrecision(3) : x.toExponential(2);
  }

  function signed(x) { return (x >= 0 ? '+' : '\u2212') + Math.abs(x).toFixed(3); }

  // Volumes are decoded on first use: a report may embed many cases.
  function Dataset(raw) {
    this.raw = raw;
    this.d = raw.size_dhw[0]; this.h = raw.size_dhw[1]; this.w = raw.size_dhw[2];
    this.n = this.d * this.h * this.w;
    this.cache = {};
    this.label = raw.label ? decode(raw.label, this.n, 'label') : null;
    this.prediction = raw.prediction ? decode(raw.prediction, this.n, 'prediction') : null;
  }
  Dataset.prototype.input = function (m) {
    var key = 'i' + m;
    return this.cache[key] || (this.cache[key] = decode(this.raw.input[m], this.n, 'input ' + m));
  };
  Dataset.prototype.relevance = function (k, m) {
    var key = 'r' + k + '_' + m;
    return this.cache[key] ||
      (this.cache[key] = decode(this.raw.relevance[k][m], this.n, 'relevance ' + k + ',' + m));
  };
  // The slice with most lesion (ground truth, else prediction); the middle one without.
  Dataset.prototype.lesionSlice = function () {
    var mask = this.label || this.prediction, area = this.h * this.w, best = -1, bestCount = 0;
    for (var z = 0; mask && z < this.d; z++) {
      var count = 0;
      for (var i = z * area; i < (z + 1) * area; i++) count += mask[i] ? 1 : 0;
      if (count > bestCount) { bestCount = count; best = z; }
    }
    return best >= 0 ? best : Math.floor(this.d / 2);
  };
  // Volumes arrive in display order (slice, row, column); this is the voxel
  // (z, y, x) of the network grid at a display position, for the readout.
  Dataset.prototype.gridVoxel = function (z, y, x) {
    var d = this.raw.display, p = [z, y, x];
    if (!d || !d.axis) return p;
    var v = [0, 0, 0];
    for (var a = 0; a < 3; a++) {
      var n = d.grid_dhw[d.axis[a]];
      v[d.axis[a]] = d.flip[a] ? n - 1 - p[a] : p[a];
    }
    return v;
  };
  Dataset.prototype.orientation = function () {
    var d = this.raw.display;
    return d && d.left ? d.convention + ', ' + d.left + ' on the left, ' + d.top + ' at the top' : 'voxel order';
  };
  Dataset.prototype.title = function () {
    var r = this.raw, dice = r.dice === null || r.dice === undefined ? '' : ' (Dice ' + r.dice.toFixed(3) + ')';
    return r.model + ' \u00b7 ' + r.case + dice;
  };

  function Viewer(root) {
    var self = this;
    this.root = root;
    this.datasets = root.getAttribute('data-sources').split(/\s+/).filter(Boolean).map(function (id) {
      var node = document.getElementById(id);
      if (!node) throw new Error('no viewer data element #' + id);
      return new Dataset(JSON.parse(node.textContent));
    });
    if (!this.datasets.length) throw new Error('no viewer data');
    this.hover = null;

    function select(options, label) {
      var s = el('select', {'aria-label': label});
      options.forEach(function (o, i) { s.appendChild(el('option', {value: String(i), text: o})); });
      return s;
    }
    function field(label, control, extra) {
      return el('label', {'class': 'control'}, [el('span', {text: label}), control].concat(extra || []));
    }

    var controls = el('div', {'class': 'viewer-controls'});
    this.datasetSelect = select(this.datasets.map(function (d) { return d.title(); }), 'case and model');
    if (this.datasets.length > 1) controls.appendChild(field('Case', this.datasetSelect));
    this.modalitySelect = select([], 'modality');
    this.filterSelect = select([], 'filter');
    this.slice = el('input', {type: 'range', min: '0', max: '0', step: '1', value: '0', 'aria-label': 'slice'});
    this.sliceText = el('output', {'class': 'slice-number'});
    this.opacity = el('input', {type: 'range', min: '0', max: '1', step: '0.05', value: '0.8', 'aria-label': 'overlay opacity'});
    this.outlines = el('input', {type: 'checkbox'});
    this.outlines.checked = true;
    controls.appendChild(field('Modality', this.modalitySelect));
    controls.appendChild(field('Filter', this.filterSelect));
    controls.appendChild(field('Slice', this.slice, [this.sliceText]));
    controls.appendChild(field('Overlay opacity', this.opacity));
    controls.appendChild(field('Outlines', this.outlines));
    root.appendChild(controls);

    this.heading = el('p', {'class': 'viewer-title'});
    root.appendChild(this.heading);

    var panels = el('div', {'class': 'viewer-panels'});
    this.panels = {};
    var spec = [
      ['slice', 'Modality slice'],
      ['relevance', 'Relevance R / max|R\u1d04|'],
      ['overlay', 'Relevance over the slice'],
      ['truth', 'Ground truth'],
      ['prediction', 'Prediction']];
    spec.forEach(function (s) {
      var canvas = el('canvas', {'class': 'slice', 'data-panel': s[0]});
      var caption = el('figcaption', {text: s[1]});
      var fig = el('figure', {}, [canvas, caption]);
      if (s[0] === 'relevance') {
        self.colorbar = el('canvas', {'class': 'colorbar', width: '256', height: '1'});
        self.scaleText = el('span', {'class': 'scale'});
        fig.appendChild(el('div', {'class': 'colorbar-wrap'}, [
          self.colorbar,
          el('div', {'class': 'colorbar-ticks'}, [el('span', {text: '\u22121'}), el('span', {text: '0'}), el('span', {text: '+1'})]),
          self.scaleText]));
      }
      self.panels[s[0]] = {canvas: canvas, caption: caption};
      panels.appendChild(fig);
      canvas.addEventListener('mousemove', function (e) { self.onHover(canvas, e); });
      canvas.addEventListener('mouseleave', function () { self.hover = null; self.render(); });
    });
    root.appendChild(panels);
    this.readout = el('div', {'class': 'readout', 'aria-live': 'polite'});
    root.appendChild(this.readout);
    this.drawColorbar();

    this.datasetSelect.addEventListener('change', function () { self.setDataset(+self.datasetSelect.value); });
    [this.modalitySelect, this.filterSelect, this.opacity, this.outlines].forEach(function (c) {
      c.addEventListener('input', function () { self.render(); });
      c.addEventListener('change', function () { self.render(); });
    });
    this.slice.addEventListener('input', function () { self.render(); });
    this.setDataset(0);
  }

  // Keeps the modality and filter chosen when the next dataset has them too.
  Viewer.prototype.setDataset = function (index) {
    var ds = this.datasets[index], self = this;
    function refill(selectEl, names) {
      var previous = selectEl.options.length ? selectEl.options[selectEl.selectedIndex].text : null;
      selectEl.innerHTML = '';
      names.forEach(function (n, i) { selectEl.appendChild(el('option', {value: String(i), text: n})); });
      var keep = names.indexOf(previous);
      selectEl.value = String(keep >= 0 ? keep : 0);
    }
    this.ds = ds;
    refill(this.modalitySelect, ds.raw.modalities);
    refill(this.filterSelect, ds.raw.filters);
    this.slice.max = String(ds.d - 1);
    this.slice.value = String(ds.lesionSlice());
    var scale = Math.max(1, Math.ceil(288 / Math.max(ds.w, ds.h)));
    Object.keys(this.panels).forEach(function (k) {
      var c = self.panels[k].canvas;
      c.width = ds.w * scale; c.height = ds.h * scale;
    });
    this.scale = scale;
    this.offscreen = el('canvas', {width: String(ds.w), height: String(ds.h)});
    this.render();
  };

  Viewer.prototype.drawColorbar = function () {
    var ctx = this.colorbar.getContext('2d'), img = ctx.createImageData(256, 1);
    for (var i = 0; i < 256; i++) {
      var c = diverging(i / 127.5 - 1);
      img.data.set([c[0], c[1], c[2], 255], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
  };

  Viewer.prototype.state = function () {
    var ds = this.ds, m = +this.modalitySelect.value, k = +this.filterSelect.value;
    return {ds: ds, m: m, k: k, z: +this.slice.value, input: ds.input(m),
            rel: ds.relevance(k, m), maxAbs: ds.raw.max_abs[k][m]};
  };

  // Draws an RGB(A)-per-voxel function of the slice, nearest-neighbour upscaled.
  Viewer.prototype.paint = function (canvas, s, voxel) {
    var ds = s.ds, w = ds.w, h = ds.h, off = this.offscreen, octx = off.getContext('2d');
    var img = octx.createImageData(w, h), base = s.z * w * h;
    for (var i = 0; i < w * h; i++) {
      var c = voxel(base + i);
      img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
    }
    octx.putImageData(img, 0, 0);
    var ctx = canvas.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
    return ctx;
  };

  // Traces the voxel edges between mask and background on slice z.
  Viewer.prototype.outline = function (ctx, s, mask, color) {
    if (!mask) return;
    var ds = s.ds, w = ds.w, h = ds.h, k = this.scale, base = s.z * w * h;
    function inside(x, y) { return x >= 0 && y >= 0 && x < w && y < h && mask[base + y * w + x] > 0; }
    ctx.beginPath();
    for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) {
      if (!inside(x, y)) continue;
      if (!inside(x, y - 1)) { ctx.moveTo(x * k, y * k); ctx.lineTo((x + 1) * k, y * k); }
      if (!inside(x, y + 1)) { ctx.moveTo(x * k, (y + 1) * k); ctx.lineTo((x + 1) * k, (y + 1) * k); }
      if (!inside(x - 1, y)) { ctx.moveTo(x * k, y * k); ctx.lineTo(x * k, (y + 1) * k); }
      if (!inside(x + 1, y)) { ctx.moveTo((x + 1) * k, y * k); ctx.lineTo((x + 1) * k, (y + 1) * k); }
    }
    ctx.strokeStyle = 'rgb(' + color.join(',') + ')';
    ctx.lineWidth = Math.max(1.5, k / 3);
    ctx.stroke();
  };

  Viewer.prototype.render = function () {
    var s = this.state(), ds = s.ds, self = this, alpha = +this.opacity.value;
    var gray = function (i) { var g = s.input[i]; return [g, g, g]; };
    var rel = function (i) { return (s.rel[i] - 127) / 127; };
    function blend(i, color, a) {
      var g = s.input[i];
      return [g + a * (color[0] - g), g + a * (color[1] - g), g + a * (color[2] - g)];
    }
    var outlines = this.outlines.checked;
    function finish(ctx, truthLine, predLine) {
      if (truthLine) self.outline(ctx, s, ds.label, style().truth);
      if (predLine) self.outline(ctx, s, ds.prediction, style().prediction);
      self.edgeLabels(ctx);
      self.marker(ctx);
    }
    finish(this.paint(this.panels.slice.canvas, s, gray), outlines, outlines);
    finish(this.paint(this.panels.relevance.canvas, s, function (i) { return diverging(rel(i)); }), outlines, outlines);
    // Opacity grows with |R| so that weak relevance does not hide the anatomy.
    finish(this.paint(this.panels.overlay.canvas, s, function (i) {
      var r = rel(i);
      return blend(i, diverging(r), alpha * Math.sqrt(Math.abs(r)));
    }), outlines, outlines);
    finish(this.paint(this.panels.truth.canvas, s, function (i) {
      return ds.label && ds.label[i] ? blend(i, style().truth, 0.45) : gray(i);
    }), true, false);
    finish(this.paint(this.panels.prediction.canvas, s, function (i) {
      return ds.prediction && ds.prediction[i] ? blend(i, style().prediction, 0.45) : gray(i);
    }), false, true);

    var modality = ds.raw.modalities[s.m], filter = ds.raw.filters[s.k];
    this.panels.slice.caption.textContent = modality + ', slice ' + s.z + ' (' + ds.orientation() + ')';
    this.panels.relevance.caption.textContent = 'Relevance of ' + modality + ', ' + filter + ' (R / max|R|)';
    this.panels.overlay.caption.textContent = 'Relevance over ' + modality + ' (opacity \u221d \u221a|R|)';
    this.panels.truth.caption.textContent = ds.label ? 'Ground truth' : 'Ground truth (none for this case)';
    this.scaleText.textContent = 'max|R| of ' + modality + ' = ' + fmt(s.maxAbs);
    this.sliceText.textContent = s.z + ' / ' + (ds.d - 1);
    this.heading.textContent = ds.title() + ' \u2014 ' + filter;
    this.updateReadout(s);
  };

  // The patient directions at the middle of each edge, on small light boxes.
  Viewer.prototype.edgeLabels = function (ctx) {
    var d = this.ds.raw.display;
    if (!d || !d.left) return;
    var w = ctx.canvas.width, h = ctx.canvas.height, size = Math.max(10, Math.round(Math.min(w, h) / 16));
    var half = Math.round(size * 0.7);
    ctx.font = 'bold ' + size + 'px sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    [[d.left, half, h / 2], [d.right, w - half, h / 2], [d.top, w / 2, half], [d.bottom, w / 2, h - half]]
      .forEach(function (l) {
        ctx.fillStyle = 'rgba(255,255,255,0.8)';
        ctx.fillRect(l[1] - half, l[2] - half, 2 * half, 2 * half);
        ctx.fillStyle = '#000';
        ctx.fillText(l[0], l[1], l[2] + 1);
      });
  };

  Viewer.prototype.marker = function (ctx) {
    if (!this.hover) return;
    var k = this.scale;
    ctx.strokeStyle = 'rgba(255,255,0,0.9)';
    ctx.lineWidth = 2;
    ctx.strokeRect(this.hover.x * k + 1, this.hover.y * k + 1, k - 2, k - 2);
  };

  Viewer.prototype.onHover = function (canvas, e) {
    var rect = canvas.getBoundingClientRect(), ds = this.ds;
    var x = Math.floor((e.clientX - rect.left) / rect.width * ds.w);
    var y = Math.floor((e.clientY - rect.top) / rect.height * ds.h);
    if (x < 0 || y < 0 || x >= ds.w || y >= ds.h) return;
    if (this.hover && this.hover.x === x && this.hover.y === y) return;
    this.hover = {x: x, y: y};
    this.render();
  };

  Viewer.prototype.updateReadout = function (s) {
    if (!this.hover) {
      this.readout.textContent = 'Hover over a panel to read voxel values.';
      return;
    }
    var ds = s.ds, i = s.z * ds.w * ds.h + this.hover.y * ds.w + this.hover.x;
    var r = (s.rel[i] - 127) / 127, v = ds.gridVoxel(s.z, this.hover.y, this.hover.x);
    var parts = ['voxel (z ' + v[0] + ', y ' + v[1] + ', x ' + v[2] + ')',
      ds.raw.modalities[s.m] + ' ' + (s.input[i] / 255).toFixed(3),
      'R/max|R| ' + signed(r) + ' (R \u2248 ' + fmt(r * s.maxAbs) + ')'];
    if (ds.label) parts.push('ground truth ' + ds.label[i]);
    if (ds.prediction) parts.push('prediction ' + ds.prediction[i]);
    this.readout.textContent = parts.join('  \u00b7  ');
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('.viewer[data-sources]'), function (root) {
      try {
        new Viewer(root);
      } catch (err) {
        root.appendChild(el('p', {'class': 'error', text: 'Slice viewer: ' + err.message}));
        console.error(err);
      }
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
