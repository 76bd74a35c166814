# title: Low Battery
# description: You are the tiny hero of a cartridge nobody has played in twenty years. A kid just found the console in a drawer, the battery light is red, and the save file is gone. Cross four worlds and reach the Save Crystal before the power runs out. A long adventure of 20+ turns.
# author: GameGirl Color
# turns: 24

VAR hero = "PIP"
VAR battery = 100
VAR hearts = 3
VAR coins = 0
VAR shards = 0
VAR lantern = false
VAR sword = false
VAR buddy = "nobody"
VAR kindness = 0
VAR hard_mode = false

-> boot

// ---------------------------------------------------------------- helpers

=== function drain(amount) ===
// Never below 1% before the finale: the finale decides what an empty battery means.
~ battery = MAX(battery - amount, 1)

=== function charge(amount) ===
~ battery = MIN(battery + amount, 100)

=== function hurt() ===
~ hearts = MAX(hearts - 1, 0)

=== function status() ===
[BATTERY {battery}% · HEARTS {hearts} · COINS {coins} · SHARDS {shards}/3]

=== function buddy_name() ===
{buddy:
- "moth":
    ~ return "Lumen"
- "dragon":
    ~ return "Grumble"
- else:
    ~ return "nobody"
}

=== function gain_shard() ===
// There are more chances than shards; the crystal only has room for three.
~ shards = MIN(shards + 1, 3)

// A checkpoint between worlds: out of hearts means a CONTINUE screen (one extra turn).
=== checkpoint ===
{hearts <= 0: -> game_over}
->->
= game_over
The screen goes grey. Sad music plays, the kind with a lot of low notes.
GAME OVER. CONTINUE? 9... 8... 7...
+ [CONTINUE (costs 10% battery)]
    ~ drain(10)
    ~ hearts = 3
    You blink back into the world at the last checkpoint, a little flatter than before.
    ->->
+ {coins >= 10} [Spend 10 coins on a 1-UP]
    ~ coins -= 10
    ~ hearts = 2
    A green mushroom bounces out of nowhere and bonks you back to life. Cheap at twice the price.
    ->->
+ [Hope the kid presses A]
    ~ hearts = 1
    ~ kindness += 1
    Outside the screen, a thumb hovers... and presses A. "Come on, little guy," the kid whispers. You stand up.
    ->->

// ---------------------------------------------------------------- boot

=== boot ===
CLICK. A hum. Light pours into the world for the first time in twenty years.
Through the glass of the screen you can see an enormous face: a kid, holding the GameGirl Color in both hands like a baby bird. In the corner of the console, the battery light is red.
You are standing on the NAME ENTRY screen. The letters are waiting.
* [Enter PIP]
    ~ hero = "PIP"
    P. I. P. The name fits like an old boot.
* [Enter ZAP]
    ~ hero = "ZAP"
    Z. A. P. You feel faster already. Slightly more electric.
* [Enter ???]
    ~ hero = "???"
    The letters refuse to line up, so you become ???. Mysterious. Possibly a bug. Definitely cool.
- -> select_mode

=== select_mode ===
SELECT MODE, says the screen, in letters that wobble with every flicker of the battery.
* [EASY (5 hearts)]
    ~ hearts = 5
    Five little hearts pop into the corner of the screen. The kid nods, relieved.
* [NORMAL (3 hearts)]
    ~ hearts = 3
    Three hearts. The way the game was meant to be played, says a tiny line of text nobody has read since 1999.
* [HARD (1 heart, 20 coins)]
    ~ hearts = 1
    ~ coins = 20
    ~ hard_mode = true
    One heart and a pocket full of coins. The kid whistles. You crack your pixel knuckles.
- -> title_screen

=== title_screen ===
The title screen unrolls: LEGEND OF THE SAVE CRYSTAL. Under it, the save menu:
FILE 1: ▓▓▓ DATA CORRUPTED ▓▓▓
The kid's voice comes through the speaker, muffled: "That was my brother's file. He got all the way to the end."
{status()}
* [Wave at the kid]
    ~ kindness += 1
    You wave. The kid blinks, then waves back, very slowly, like you might be a trick of the light.
* [Inspect the broken save file]
    You poke the corrupted file. It crackles. Deep inside the static you can make out a tiny crystal, shining, very far away.
* [Run right, like heroes do]
    ~ drain(2)
    You run right. Everyone runs right. The world scrolls obligingly to meet you.
- Somewhere at the far end of this cartridge is the Save Crystal. If you can reach it before the battery dies, you can write a new file.
-> meadow

// ---------------------------------------------------------------- world 1: meadow

=== meadow ===
WORLD 1: PIXEL MEADOW
~ drain(8)
Green hills roll by in four shades of green, which is all the palette has. Clouds with happy faces. A spider's web between two mushrooms, and caught in it, a moth whose wings glow like a lamp.
{status()}
* [Free the moth]
    ~ buddy = "moth"
    ~ kindness += 1
    You pull the threads apart. The moth tumbles free and shakes out its wings. "I am Lumen," it says. "I owe you light." It settles on your hat and glows.
* [Bounce on the big mushroom]
    ~ coins += 5
    BOING. BOING. BOING. Five coins rain out of the sky on the third bounce. The moth watches you, unimpressed.
* [Keep running]
    ~ drain(2)
    You sprint past the web. The moth calls after you, but the music is very loud.
- -> meadow_shop

=== meadow_shop ===
Past the hill sits a shop made out of one very large pumpkin. Behind the counter, a slime in a tiny apron wobbles.
"Welcome to Gloop's! Everything is ten coins. Or fifteen. I forget."
You have {coins} coins.
* {coins >= 10} [Buy a lantern (10 coins)]
    ~ coins -= 10
    ~ lantern = true
    Gloop hands over a brass lantern with a candle that never goes out. "Good for caves," says Gloop. "Bad for sleeping."
* {coins >= 15} [Buy a sword (15 coins)]
    ~ coins -= 15
    ~ sword = true
    The sword is made of one very straight pixel. It is perfect.
* [Work a shift for coins]
    ~ coins += 10
    ~ drain(5)
    You spend a shift stacking jars of jelly that are also, it turns out, Gloop's cousins. Ten coins, and a lot of apologising.
* [Ask Gloop for advice]
    Gloop jiggles thoughtfully. "The caves are dark. The sky is fast. And the castle is full of bugs. The real kind. The kind that eat saves."
- -> meadow_stomper

=== meadow_stomper ===
The bridge over the river is guarded by a Stomper: a walking brown mushroom with eyebrows that mean business.
"HALT," it says. "NOBODY CROSSES. IT IS MY ONE JOB."
* {sword} [Swing the sword]
    ~ coins += 5
    One swing and the Stomper pops into a puff of smoke and five coins. "WORTH IT," it says as it goes.
* [Jump on its head]
    You jump. You land. The Stomper flattens like a pancake, then slowly puffs back up. "RUDE," it says, but steps aside.
* [Ask about its one job]
    ~ kindness += 1
    The Stomper's eyebrows soften. "Twenty years. Nobody comes. I have guarded this bridge from nobody." You tell it it's doing great. It lets you pass, sniffing.
* [Sneak under the bridge]
    ~ hurt()
    You slip on a wet rock and fall in the river. It is very cold and very blue. You lose a heart and your dignity.
- -> meadow_flag

=== meadow_flag ===
At the end of the meadow stands the flagpole, tall as a tower, with a star-shaped shard glinting at its very top.
{buddy == "moth": Lumen flutters up ahead of you. "That's a Star Shard! Three of those and the crystal will show you everything."}
* [Jump for the very top]
    ~ drain(4)
    You run, you leap, you stretch every pixel you have...
    {hard_mode or buddy == "moth":
        ~ gain_shard()
        ...and your fingers close around the shard. A fanfare plays. The kid cheers out loud.
    - else:
        ...and grab the pole two pixels below it. So close. The shard twinkles smugly.
    }
* [Ride the flag down]
    ~ coins += 5
    You grab the pole halfway up and slide down in a shower of sparks. Five coins for style.
* [Skip the flag and save power]
    ~ charge(3)
    You walk past the flagpole like it's just a pole. The console hums quietly, grateful.
- LEVEL CLEAR.
-> world_two

// ---------------------------------------------------------------- world 2: glitch caves

=== world_two ===
-> checkpoint ->
-> caves

=== caves ===
WORLD 2: GLITCH CAVES
~ drain(10)
The cave mouth swallows the light. Inside, it is so dark that the palette has only one colour, and that colour is "no".
{status()}
* {lantern} [Light the lantern]
    The lantern flares gold. The walls are covered in drawings: a hero, a crystal, and a long, long list of names.
* {buddy == "moth"} [Ask Lumen to glow]
    Lumen glows brighter and brighter until the whole cave shines. "I told you," it says. "I owe you light."
* [Feel your way along the wall]
    ~ hurt()
    You feel your way along the wall. The wall feels its way along you. Something bites. You lose a heart.
* [Use the console's backlight]
    ~ drain(8)
    You flick the backlight on. The cave lights up, and the battery groans.
- -> caves_glitch

=== caves_glitch ===
Deeper in, the world starts to come apart. Rocks hang in the air with their edges missing. The music skips.
TH3 W4LLS 4R3 N0T R34L
A figure made of static flickers out of a wall. It is the shape of a person, but with too many corners. "H3LLO, {hero}," it says. "1 C4N G1V3 Y0U 4 SH4RD. 1T C0STS P0W3R."
* [Trade 15% battery for a shard]
    ~ drain(15)
    ~ gain_shard()
    The glitch grins with all its corners. A shard drops into your hand, still warm, and the battery light flickers hard.
* [Ask the glitch who it is]
    ~ kindness += 1
    "1 W4S TH3 F1N4L B0SS," it says. "TH3N TH3 S4V3 BR0K3. N0W 1 4M 4 W4LL." You tell it that it is a very good wall. It looks pleased, in a jagged way.
* [Walk away quickly]
    The glitch sighs a long staticky sigh and folds back into the rock.
- -> caves_river

=== caves_river ===
An underground river blocks the way, black and fast. A little wooden raft is tied to a post. Across the water, a ledge of question-mark blocks.
* [Take the raft]
    ~ drain(3)
    The raft spins twice, hits every rock on the way, and deposits you on the far bank, soggy but alive.
* [Hop across the question blocks]
    ~ coins += 10
    You hop from block to block. Each one goes DING and spits out a coin. The last one goes DONG and nearly drops you in.
* [Swim for it]
    {hard_mode:
        ~ hurt()
    }
    ~ charge(5)
    You jump in. The river is cold, and it crackles: it is full of loose electricity from the glitch. Your battery bar ticks UP. Science!
- -> caves_dragon

=== caves_dragon ===
At the bottom of the caves sleeps an enormous purple dragon, wearing a crown that says BOSS on it in gold letters. It opens one eye.
"Oh, not again," it sighs. "Fine. Fine. Roar. Prepare to battle. Et cetera."
* {sword} [Draw your sword]
    The dragon looks at the one-pixel sword, then at you. "Respect," it says, and lets you through. "Nobody has brought a sword in twenty years."
* [Offer to let it rest]
    ~ kindness += 1
    {buddy == "nobody": -> dragon_friend}
    The dragon lowers its enormous head. "You mean it? No battle?" It lets out a long, smoky breath of relief, and waves you on.
* [Sneak past while it talks]
    {hard_mode:
        ~ hurt()
    }
    You tiptoe along the wall while the dragon lists its complaints about its contract. It does not notice. Or pretends not to.
* [Fight it anyway]
    ~ hurt()
    ~ coins += 15
    It is a short, loud, fiery fight. You win, mostly by accident, with one heart fewer and fifteen coins richer. The dragon applauds politely.
- -> world_three

= dragon_friend
The dragon lowers its enormous head. "No battle? Then... may I come with you? I am tired of being a boss. I would like to be a friend for a while."
~ buddy = "dragon"
Grumble the dragon folds itself down to the size of a cat and climbs onto your shoulder.
-> world_three

// ---------------------------------------------------------------- world 3: cloud circuit

=== world_three ===
-> checkpoint ->
-> sky

=== sky ===
WORLD 3: CLOUD CIRCUIT
~ drain(10)
The caves open out onto a cliff, and the cliff opens onto the sky. Far above, cloud roads twist and loop like a race track, and at the very top a castle floats, black and spiky.
{status()}
* {buddy == "dragon"} [Ride Grumble up to the clouds]
    Grumble grows back to full size with a happy roar, and you rocket up past the birds, the clouds and one very surprised satellite.
* {buddy == "moth"} [Follow Lumen up the light beam]
    Lumen spins a spiral of light and you climb it like a staircase, step by glowing step.
* [Climb the beanstalk]
    ~ drain(5)
    You climb. And climb. The beanstalk has four hundred leaves, and you are sure the game designer counted them all.
* [Jump into the warp pipe]
    ~ drain(3)
    FOOMP. The warp pipe spits you out on a cloud, upside down, with your hat on your foot.
- -> sky_race

=== sky_race ===
On the cloud road, a rabbit in racing goggles revs a kart made of a teacup. "Turbo Hare," it announces. "Fastest thing in the game. Race me. Winner gets a Star Shard."
* [Race the hare]
    ~ drain(6)
    Three laps. The cloud road loops, dips and corkscrews.
    {coins >= 10 or buddy == "dragon":
        ~ gain_shard()
        You take the last corner on two wheels and cross the line a whisker ahead. Turbo Hare hands over the shard, sulking magnificently.
    - else:
        You lose by a whisker. "Nice try, slowpoke," says Turbo Hare, and zooms off. You get a participation coin.
        ~ coins += 1
    }
* {coins >= 10} [Bribe the hare with 10 coins]
    ~ coins -= 10
    Turbo Hare pockets the coins. "Tell you what. You won. Very exciting race. I'll tell everyone." No shard, though: "Shards are for winners."
* [Turn the race down]
    ~ charge(2)
    "Suit yourself," says Turbo Hare, and vanishes in a puff of cloud. The quiet is very nice.
- -> sky_storm

=== sky_storm ===
The sky goes dark. A storm rolls in, made of big square raindrops and lightning that moves in zigzags because it does not know how to do anything else.
{battery < 40: The battery light on the console is blinking now. You can hear the kid whisper: "Hang on. Hang on."}
* [Shelter under a cloud]
    You wait out the storm under a thick cloud. It is a bit damp. It costs nothing. It takes a while.
    ~ drain(4)
* [Catch a lightning bolt]
    {hearts > 1:
        ~ hurt()
        ~ charge(15)
        ZAP! It hurts, but the battery bar jumps up fifteen points. Your hair will never lie flat again.
    - else:
        You reach for a bolt, then think better of it with one heart left. The lightning shrugs and goes elsewhere.
    }
* [Push on through the rain]
    ~ drain(6)
    You push on, head down, raindrops bouncing off your hat like pixels off a pixel.
- -> sky_gate

=== sky_gate ===
The cloud road ends at a gate of gold bars. On it, a stone face with a big mouth. "PASSWORD," it booms. "FROM THE MANUAL."
Outside the screen, you hear paper rustle. The kid has found the manual in the drawer. "It's written in the back," the kid whispers. "In my brother's handwriting."
* [Say UP UP DOWN DOWN]
    ~ gain_shard()
    The stone face grins. "CLASSIC." The gate swings open and a Star Shard drops out of its mouth, slightly drooly.
* [Say PLEASE]
    ~ kindness += 1
    "...NOBODY HAS EVER SAID PLEASE," says the stone face, and opens the gate, touched.
* [Say your name]
    "{hero}," you say. The stone face thinks about it. "ACCEPTABLE," it decides, and the gate creaks open.
- -> world_four

// ---------------------------------------------------------------- world 4: castle nullpointer

=== world_four ===
-> checkpoint ->
-> castle

=== castle ===
WORLD 4: CASTLE NULLPOINTER
~ drain(12)
The castle floats on nothing at all. Its walls crawl with Bugs: little beetles of black static, chewing holes in the scenery. Where they have eaten, there is only grey.
{status()}
* [Charge across the drawbridge]
    {sword:
        You charge, sword first. The Bugs scatter like spilled rice.
    - else:
        ~ hurt()
        You charge. The Bugs do not scatter. One of them bites a heart clean out of your health bar.
    }
* [Climb the wall the Bugs have eaten]
    ~ drain(4)
    You climb through the grey holes, where the world has no texture and your feet make no sound. It is very strange, and very quiet.
* {buddy != "nobody"} [Send {buddy_name()} to scout ahead]
    {buddy_name()} slips ahead and comes back with a map scratched on a leaf: a secret door, round the back, behind the bins.
    You go in round the back, behind the bins, like a legend.
- -> castle_hall

=== castle_hall ===
The great hall is lined with portraits, and every portrait is a save file. FILE 3: KAI 04:12. FILE 4: ROSA 12:40. The names on the cave wall.
At the end hangs a frame with no picture at all, just the word: SAM 99:59.
"That's my brother," says the kid, very quietly.
* [Touch Sam's empty frame]
    ~ kindness += 1
    The frame is warm. For a second you see a boy with a GameGirl Color, grinning, twenty years ago, playing this exact hall.
    {shards < 3:
        A Star Shard falls out of the frame, as if it had been waiting for someone.
        ~ gain_shard()
    }
* [Read all the names]
    You read them all, one by one: thirty-one players, thirty-one adventures. Every one of them got this far.
* [Hurry past the portraits]
    ~ charge(2)
    No time. The battery is ticking. You run through the hall, and the portraits' eyes follow you, kindly.
- -> bug_king

=== bug_king ===
The throne room. On the throne, a beetle the size of a bus, built out of corrupted data. Its shell flickers with broken save files: half a name, a score, the last frame of somebody's ending.
"I AM THE BUG KING," it says, in a voice like a scratched disc. "I EAT SAVES. I ATE SAM'S. I WILL EAT YOURS."
{status()}
* {sword} [Fight with the sword]
    Your one-pixel sword hums. You dive between the Bug King's legs and strike at the flickering shell.
    ~ drain(5)
* {lantern or buddy == "moth"} [Blind it with light]
    Light floods the throne room. The Bug King screeches: bugs hate light. Its shell goes dim and slow.
* [Talk to it]
    ~ kindness += 1
    "Why do you eat saves?" you ask. The Bug King pauses. Nobody has asked it anything in twenty years.
* [Dodge and wait for an opening]
    ~ hurt()
    ~ drain(5)
    You dodge left, right, left. A leg clips you. You lose a heart, but you see it: the shell has a crack.
- -> bug_king_end

=== bug_king_end ===
The Bug King staggers. Through the crack in its shell, something glows: a whole, unbroken save file, SAM 99:59, curled up inside like a pearl.
{kindness >= 5: "I did not eat them to be cruel," it rasps. "I was hungry. Nobody came to play. A game nobody plays starts eating itself."}
* {kindness >= 5} [Promise it that the kid will play every day]
    ~ kindness += 1
    The Bug King's shell turns from black static to a soft, beetle green. It coughs up Sam's save, whole and shining. "Every day," it says. "Promise."
* [Reach in and pull out Sam's save]
    ~ hurt()
    You reach into the crack. It snaps shut on your arm, then springs open again, and you stumble back holding the glowing save, one heart lighter.
* [Shatter the shell]
    ~ drain(8)
    You hit the crack with everything you have. The Bug King bursts into a cloud of harmless pixels, and Sam's save floats down like a feather.
- The way to the top of the castle is open.
-> finale

// ---------------------------------------------------------------- finale

=== finale ===
-> checkpoint ->
THE SAVE CRYSTAL
At the top of the tallest tower, the crystal turns slowly in the air, humming the title music very softly. You have come all the way across the cartridge.
{status()}
{battery <= 25: LOW BATTERY, says the console. The red light is blinking fast now.}
* [Walk straight to the crystal]
    You walk up to the crystal and put your hand on it. It's cold, and then warm, and then it knows your name: {hero}.
* {shards >= 3} [Place the three Star Shards]
    The three shards fly out of your pocket and click into place around the crystal. It blazes. Colours appear that the palette definitely does not have.
* [Look out of the window first]
    Below you, the whole cartridge: the meadow, the caves, the cloud roads. {buddy != "nobody": {buddy_name()} sits beside you and looks too.} It was a good game.
- -> save_menu

=== save_menu ===
SAVE MENU
FILE 1: ▓▓▓ DATA CORRUPTED ▓▓▓
In your hands, Sam's old save glows. In the crystal, there is room for exactly one file.
* [Restore Sam's file to FILE 1]
    ~ kindness += 1
    Sam's save slides into FILE 1: SAM 99:59. The kid gasps.
* [Write a new file for the kid]
    A fresh file appears in FILE 1, blinking and new: NEW GAME, 00:00, waiting for a name.
* [Save your own adventure]
    FILE 1: {hero}. Your whole adventure, every mushroom and cloud, fixed into the crystal.
- -> power_check

=== power_check ===
SAVING... DO NOT TURN OFF THE POWER.
The progress bar starts to fill, pixel by pixel.
{battery <= 15: The battery light goes from blinking to solid red. The screen dims. This is going to be close.}
* [Hold on]
    ~ drain(5)
    You hold on to the crystal with both hands and the whole world holds its breath.
* {buddy != "nobody"} [Ask {buddy_name()} to help]
    ~ charge(5)
    {buddy == "moth": Lumen glows with everything it has left, pouring light into the crystal.|Grumble breathes a long, warm breath of fire into the crystal, and the battery bar flickers up.}
* [Ask the kid to hold very still]
    ~ kindness += 1
    "Don't move," you write on the screen, in little white letters. The kid freezes, not even breathing, holding the console perfectly level.
- {battery > 10: -> ending_saved}
-> ending_power_down

=== ending_saved ===
SAVE COMPLETE.
{shards >= 3 and kindness >= 5:
    -> ending_true
}
The crystal flashes once, and the save holds. Outside the screen, the kid laughs out loud. Then the kid's mum calls from downstairs, and the kid calls back: "Five more minutes! I'm saving!"
-> last_screen

=== ending_true ===
The three Star Shards spin around the crystal, faster and faster, and the whole castle fills with light. When it fades, the menu has a new line on it that was never there before:
WORLD 5: ???
And under it, in tiny letters, a message from twenty years ago: GOOD LUCK. LOVE, SAM.
The kid holds the console to their chest for a long time without saying anything at all.
-> last_screen

=== ending_power_down ===
The progress bar reaches the last pixel just as the screen goes dark.
Silence. The red light is gone.
For a long moment, nothing. Then: the sound of a drawer opening, a cable being found, a plug going in. A small orange light glows. CHARGING.
When the screen comes back on, the save is there. It held. Just.
-> last_screen

=== last_screen ===
{buddy != "nobody": {buddy_name()} waves at the kid from your shoulder.}
THE END. THANK YOU FOR PLAYING, {hero}.
* [PRESS START for New Game Plus]
    The title music starts again, a little brighter this time. Somewhere in the meadow, a Stomper straightens its eyebrows. Somebody is coming.
    -> END
* [Switch the console off]
    CLICK. The screen fades to a single dot of light, and then to nothing. The console goes back in the drawer, but not too far in. Near the top. Where it's easy to reach.
    -> END
