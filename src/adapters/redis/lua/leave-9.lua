--[[ A fan leaves. ARGV[1] token. Returns 1 if the token was live. ]]
return finish(KEYS, ARGV[1])
