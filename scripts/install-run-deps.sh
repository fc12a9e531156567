#!/usr/bin/env bash
# Debian packages the app itself needs: Pango and HarfBuzz for WeasyPrint (the schedule PDF)
# and the fonts it draws with (DejaVu; Noto CJK for Chinese). Installed only when missing.
set -euo pipefail
missing=()
ldconfig -p | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# The zh_CN pages and PDF need a CJK font, or Chinese is drawn as empty boxes.
ls /usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
bash "$(dirname "$0")/apt-install.sh" ${missing[@]+"${missing[@]}"}
