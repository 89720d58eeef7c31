#!/usr/bin/env python3
"""Golden crossing times of a virtual line by three GPX tracks, by a method independent of the engine's.

The engine (actors/gps/) intersects each segment between consecutive fixes with the line segment parametrically in
a local tangent plane in metres. This script instead works in degrees (longitude scaled by cos(latitude)), looks for a
sign change of the cross product (B - A) x (P - A) between consecutive fixes P, Q, interpolates the time linearly
with the ratio of the two cross products, and keeps the crossing when its point projects between the two marks.

Writes docs/gps/golden-crossings.json and docs/gps/golden-crossings.svg (tracks, marks, the line and the crossings;
hand-written SVG), and golden-crossings-start.svg (the start area zoomed in). Python 3 standard library only. Run from the repository root:

    python3 docs/gps/golden-crossings.py
    cd docs/gps && chromium --headless --no-sandbox --screenshot=golden-crossings.png --window-size=1400,1400 golden-crossings.svg
"""
import json
import math
import os
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

FIXTURES = 'edge/gps/fixtures'
OUT = 'docs/gps'
BOATS = [('1', 'track1.gpx'), ('2', 'track2.gpx'), ('3', 'track3.gpx')]
# The line: between marks 1 and 4 of marks.txt (1-based line numbers), which all three boats cross several times.
LINE_MARKS = (1, 4)
NS = {'g': 'http://www.topografix.com/GPX/1/1'}


def read_marks():
    with open(os.path.join(FIXTURES, 'marks.txt')) as f:
        return [tuple(float(v) for v in line.split(',')) for line in f if line.strip()]


def read_gpx(name):
    root = ET.parse(os.path.join(FIXTURES, name)).getroot()
    fixes = []
    for pt in root.iterfind('.//g:trkpt', NS):
        text = pt.find('g:time', NS).text
        when = datetime.strptime(text.replace('Z', ''), '%Y-%m-%dT%H:%M:%S.%f' if '.' in text else '%Y-%m-%dT%H:%M:%S')
        at_us = int(when.replace(tzinfo=timezone.utc).timestamp()) * 1_000_000 + when.microsecond
        fixes.append((at_us, float(pt.get('lat')), float(pt.get('lon'))))
    return fixes


def iso(at_us):
    return datetime.fromtimestamp(at_us / 1e6, tz=timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def main():
    marks = read_marks()
    a, b = marks[LINE_MARKS[0] - 1], marks[LINE_MARKS[1] - 1]
    k = math.cos(math.radians((a[0] + b[0]) / 2))

    def xy(lat, lon):
        return (lon * k, lat)

    ax, ay = xy(*a)
    bx, by = xy(*b)

    def cross(px, py):
        return (bx - ax) * (py - ay) - (by - ay) * (px - ax)

    boats = []
    for number, name in BOATS:
        fixes = read_gpx(name)
        crossings = []
        for (t1, lat1, lon1), (t2, lat2, lon2) in zip(fixes, fixes[1:]):
            px, py = xy(lat1, lon1)
            qx, qy = xy(lat2, lon2)
            c1, c2 = cross(px, py), cross(qx, qy)
            if c1 * c2 >= 0:
                continue  # no sign change (a fix exactly on the line does not occur in these tracks)
            f = c1 / (c1 - c2)
            x, y = px + f * (qx - px), py + f * (qy - py)
            u = ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)
            if not 0 <= u <= 1:
                continue  # crossed the line's extension, beside a mark
            at_us = round(t1 + f * (t2 - t1))
            crossings.append({
                'iso': iso(at_us), 'atUs': at_us,
                # left-to-right seen from mark 1 towards mark 4 is +1
                'direction': 1 if c1 > 0 else -1,
                'alongLine': round(u, 4), 'lat': round(y, 7), 'lon': round(x / k, 7),
                'fixIntervalS': (t2 - t1) / 1e6,
            })
        boats.append({'number': number, 'gpx': name, 'fixes': len(fixes), 'crossings': crossings})

    golden = {
        'method': 'sign change of the cross product between consecutive fixes (degrees, longitude scaled by '
                  'cos(latitude)), time interpolated linearly by the ratio of the cross products; kept when the '
                  'crossing point projects between the marks',
        'line': {'marks': list(LINE_MARKS), 'points': [list(a), list(b)]},
        'boats': boats,
    }
    with open(os.path.join(OUT, 'golden-crossings.json'), 'w') as f:
        json.dump(golden, f, indent=2)
        f.write('\n')
    tracks = [read_gpx(name) for _, name in BOATS]
    with open(os.path.join(OUT, 'golden-crossings.svg'), 'w') as f:
        f.write(svg(marks, (a, b), boats, tracks))
    # The start area, where ten crossings lie within 30 m of each other: the same drawing, zoomed in.
    with open(os.path.join(OUT, 'golden-crossings-start.svg'), 'w') as f:
        f.write(svg(marks, (a, b), boats, tracks, zoom=(440, 690, 170)))
    for boat in boats:
        print(boat['number'], boat['gpx'], [c['iso'] for c in boat['crossings']])


def svg(marks, line, boats, tracks, zoom=None):
    width, height, pad = 1400, 1400, 100
    lats = [p[1] for t in tracks for p in t] + [m[0] for m in marks]
    lons = [p[2] for t in tracks for p in t] + [m[1] for m in marks]
    k = math.cos(math.radians(sum(lats) / len(lats)))
    x0, x1, y0, y1 = min(lons) * k, max(lons) * k, min(lats), max(lats)
    scale = min((width - 2 * pad) / (x1 - x0), (height - 2 * pad) / (y1 - y0))

    def pt(lat, lon):
        return (pad + (lon * k - x0) * scale, height - pad - (lat - y0) * scale)

    colours = ['#d62728', '#1f77b4', '#2ca02c']
    box = f'{zoom[0]} {zoom[1]} {zoom[2]} {zoom[2]}' if zoom else f'0 0 {width} {height}'
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="{box}">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for colour, track in zip(colours, tracks):
        points = ' '.join('%.1f,%.1f' % pt(lat, lon) for _, lat, lon in track)
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1" stroke-opacity="0.6"/>')
        for _, lat, lon in track:
            out.append('<circle cx="%.1f" cy="%.1f" r="1.2" fill="%s"/>' % (*pt(lat, lon), colour))
    (lx1, ly1), (lx2, ly2) = pt(*line[0]), pt(*line[1])
    out.append(f'<line x1="{lx1:.1f}" y1="{ly1:.1f}" x2="{lx2:.1f}" y2="{ly2:.1f}" stroke="black" stroke-width="2"/>')
    for i, (lat, lon) in enumerate(marks, 1):
        x, y = pt(lat, lon)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="none" stroke="orange" stroke-width="2"/>')
        out.append(f'<text x="{x + 10:.1f}" y="{y - 10:.1f}" font-size="22" font-family="sans-serif">mark {i}</text>')
    for colour, boat in zip(colours, boats):
        for n, c in enumerate(boat['crossings'], 1):
            x, y = pt(c['lat'], c['lon'])
            out.append(f'<path d="M{x - 4:.1f},{y - 4:.1f}L{x + 4:.1f},{y + 4:.1f}M{x - 4:.1f},{y + 4:.1f}L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="1.5"/>')
    legend_y = 28
    for colour, boat in zip(colours, boats):
        times = ', '.join(c['iso'][11:19] for c in boat['crossings'])
        out.append(f'<text x="{pad}" y="{legend_y}" font-size="18" font-family="sans-serif" fill="{colour}">boat {boat["number"]} ({boat["gpx"]}): {len(boat["crossings"])} crossings {times}</text>')
        legend_y += 24
    out.append('</svg>')
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    main()
