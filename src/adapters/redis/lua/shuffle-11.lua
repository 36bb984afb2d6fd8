--[[ Draws the pre-queue's order (once). ARGV[1] seed. ]]
draw(KEYS, ARGV[1])
return 1
