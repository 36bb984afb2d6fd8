--[[ Draws the pre-queue's order (once). ARGV[1] seed; ARGV[2] last_seq, ARGV[3]
  serving_seq and ARGV[4] pre_count as the calling instance last saw them: if
  Redis lost the queue, the counters are raised first (enter-11.lua), so the
  draw keeps places for the pre-queue tickets handed out before. ]]
raise_floors(KEYS, ARGV[2], ARGV[3], ARGV[4])
draw(KEYS, ARGV[1])
return 1
