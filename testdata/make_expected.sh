#!/usr/bin/env bash
# Regenerates testdata/clips/expected/ from Debian's ffmpeg (5.1): for every clip,
#   NAME.frames.sha256 : SHA-256 of each frame's decoded yuv420p planes, in presentation order
#   NAME.mid.png       : ffmpeg's rgb24 conversion of the middle frame, a 96x64 crop at the centre
#                        (even offsets, so cropping in YUV and converting equals converting and cropping)
#   NAME.mid.txt       : "frame X Y" of that crop
set -euo pipefail
cd "$(dirname "$0")/clips"
for f in *.mp4 *.mov; do
  n=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$f")
  read -r w h < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$f" | tr ',' ' ')
  fs=$(( w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2) ))
  ffmpeg -v error -i "$f" -map 0:v:0 -fps_mode passthrough -f rawvideo -pix_fmt yuv420p - \
    | python3 -c "import sys,hashlib; d=sys.stdin.buffer.read(); fs=$fs; [print(hashlib.sha256(d[i:i+fs]).hexdigest()) for i in range(0,len(d),fs)]" > "expected/$f.frames.sha256"
  mid=$(( n / 2 )); cw=96; ch=64; x=$(( (w - cw) / 4 * 2 )); y=$(( (h - ch) / 4 * 2 ))
  ffmpeg -v error -y -i "$f" -map 0:v:0 -fps_mode passthrough -vf "select=eq(n\,$mid),crop=$cw:$ch:$x:$y" -frames:v 1 -pix_fmt rgb24 "expected/$f.mid.png"
  echo "$mid $x $y" > "expected/$f.mid.txt"
done
