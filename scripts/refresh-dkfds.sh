#!/usr/bin/env bash
# Refresh the embedded copy of Det Fælles Designsystem (npm package `dkfds`)
# in crates/web/assets/dkfds/.
#
# Usage: scripts/refresh-dkfds.sh [VERSION]     (default: 11.2.0)
#
# Fetches the package with `npm pack` (the only step that needs the network),
# then copies only what the compiled CSS actually uses:
#   css/dkfds.min.css          (sourceMappingURL comment removed, @font-face
#                               src lists trimmed to the woff2/woff we ship)
#   fonts/.../woff2, woff      (only the files the CSS references, plus the
#                               OFL licence text that must travel with them)
#   img/...                    (every image the CSS references)
#   img/all-svg-icons.svg      (the icon sprite, for <use href="...#icon">)
#   LICENSE.md, VERSION
# The layout mirrors dist/ so the CSS's relative ../fonts and ../img urls
# resolve when it is served at /static/dkfds/css/dkfds.min.css.
set -euo pipefail

version="${1:-11.2.0}"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
assets_dir="${repo_root}/crates/web/assets"
dest="${assets_dir}/dkfds"

for tool in npm node tar; do
    command -v "${tool}" >/dev/null 2>&1 || { echo "error: ${tool} is required" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

echo "Fetching dkfds@${version} with npm pack ..."
tarball="$(cd "${work}" && npm pack "dkfds@${version}" --loglevel=error | tail -n 1)"
[[ -f "${work}/${tarball}" ]] || { echo "error: npm pack produced no tarball" >&2; exit 1; }
tar -xzf "${work}/${tarball}" -C "${work}"

pkg="${work}/package"
dist="${pkg}/dist"
# Record the version actually packed (the argument may be a tag such as `latest`).
resolved="$(node -p 'require(process.argv[1]).version' "${pkg}/package.json")"
echo "Packed dkfds ${resolved}"

src_css="${dist}/css/dkfds.min.css"
[[ -f "${src_css}" ]] || { echo "error: ${src_css} missing from package" >&2; exit 1; }

stage="${work}/stage"
mkdir -p "${stage}/css"

# Rewrite the CSS and list the relative urls it references (one per line,
# without query/fragment, relative to css/).
node - "${src_css}" "${stage}/css/dkfds.min.css" "${work}/urls.txt" <<'JS'
const fs = require('fs');
const [, , input, output, urlList] = process.argv;
let css = fs.readFileSync(input, 'utf8');

// Drop source map comments: the map is not shipped.
css = css.replace(/\n?\/\*#\s*sourceMappingURL=[^*]*\*\/\s*/g, '\n').trimEnd() + '\n';

const urlRe = /url\(\s*(['"]?)([^'")]+)\1\s*\)/g;

// Keep only woff2 (first) and woff in every @font-face src list.
let faces = 0; // @font-face rules whose src lists were rewritten
css = css.replace(/@font-face\s*\{[^}]*\}/g, (block) => {
  return block.replace(/(^|[{;])(\s*src\s*:)([^;}]*)/g, (m, lead, prop, value) => {
    const urls = [...value.matchAll(urlRe)].map((u) => u[2]);
    if (urls.length === 0) return m; // local() only: nothing to fetch
    faces += 1;
    const locals = value.match(/local\([^)]*\)/g) || [];
    const pick = (ext) => urls.filter((u) => u.split(/[?#]/)[0].toLowerCase().endsWith('.' + ext));
    const files = [...pick('woff2').map((u) => `url(${u}) format("woff2")`),
                   ...pick('woff').map((u) => `url(${u}) format("woff")`)];
    if (files.length === 0) {
      throw new Error('@font-face without a woff2/woff source: ' + block);
    }
    return lead + prop + [...locals, ...files].join(',');
  });
});
if (faces === 0) throw new Error('no @font-face rules found in ' + input);

const urls = new Set();
for (const m of css.matchAll(urlRe)) {
  const u = m[2].trim();
  if (/^(data:|#)/i.test(u)) continue;
  if (/^([a-z][a-z0-9+.-]*:|\/)/i.test(u)) {
    throw new Error('CSS references a non-relative url, which would not be embedded: ' + u);
  }
  urls.add(u.split(/[?#]/)[0]);
}
fs.writeFileSync(output, css);
fs.writeFileSync(urlList, [...urls].sort().join('\n') + '\n');
console.log(`Rewrote ${faces} @font-face rules; CSS references ${urls.size} files`);
JS

# Copy every referenced file, keeping the layout relative to dist/.
copy_from_dist() {
    local rel="$1"
    [[ "${rel}" != *..* ]] || { echo "error: unexpected path ${rel}" >&2; exit 1; }
    [[ -f "${dist}/${rel}" ]] || { echo "error: ${rel} is referenced but missing from the package" >&2; exit 1; }
    mkdir -p "${stage}/$(dirname "${rel}")"
    cp "${dist}/${rel}" "${stage}/${rel}"
}

while IFS= read -r url; do
    [[ -n "${url}" ]] || continue
    case "${url}" in
        ../*) rel="${url#../}" ;;                 # relative to css/ -> relative to dist/
        *) rel="css/${url}" ;;
    esac
    case "${rel}" in
        fonts/*.woff2 | fonts/*.woff | img/*) copy_from_dist "${rel}" ;;
        *) echo "error: CSS references ${url}, which this script does not know how to ship" >&2; exit 1 ;;
    esac
done < "${work}/urls.txt"

copy_from_dist "img/all-svg-icons.svg"
cp "${pkg}/LICENSE.md" "${stage}/LICENSE.md"
# The SIL OFL requires its text to accompany the font files.
for fontdir in "${stage}"/fonts/IBMPlexSans/complete/*/; do
    rel="${fontdir#"${stage}/"}"
    if [[ -f "${dist}/${rel}license.txt" ]]; then
        cp "${dist}/${rel}license.txt" "${fontdir}license.txt"
    fi
done
printf '%s\n' "${resolved}" > "${stage}/VERSION"

rm -rf "${dest}"
mkdir -p "${assets_dir}"
mv "${stage}" "${dest}"

echo "Wrote ${dest}:"
echo "  $(find "${dest}" -type f | wc -l) files, $(du -sk --apparent-size "${dest}" | cut -f1) KiB"
