# title: Midnight Arcade
# description: Locked inside the Pixel Palace after closing time, as forty cabinets wake up at once. Make a friend, dodge the janitor-bot and get out before the lights come back on. A short game of about ten turns.
# author: GameGirl Color
# turns: 10

VAR tokens = 3
VAR friend = "nobody"
VAR courage = 0
VAR score = 0
VAR has_key = false

-> closing_time

=== closing_time ===
The last bus rumbles away outside. You were three bosses deep into Star Lancer when the shutters came down with a CLANG.
Now the Pixel Palace is dark, except for forty cabinets glowing blue... and every one of them just flipped to ATTRACT MODE at the same moment.
You have {tokens} tokens in your pocket and one bar of phone signal that immediately gives up.
* [Shout for the manager]
    ~ courage += 1
    Your voice bounces off the carpet with the cosmic swirls. Nobody answers.
    Then, from the back of the hall, a speaker crackles: PLAYER ONE... PRESS START.
    -> the_floor
* [Hide behind the prize counter]
    ~ courage -= 1
    You crouch among rubber spiders and plush dinosaurs with sad button eyes.
    One by one, every screen in the hall turns a little, the way a cat turns to look at a noise.
    -> the_floor
* [Press START on the nearest cabinet]
    ~ courage += 2
    ~ score += 100
    The button clicks. The screen says WELCOME BACK, CHAMP.
    You have never played this machine in your life.
    -> the_floor

=== the_floor ===
Three machines are glowing brighter than the rest, like they are waving at you:
Boo Muncher, the ghost-maze game, humming a nervous little tune.
The Claw of Destiny, its glass case full of plush toys with blinking LED eyes.
And Star Lancer, where your high score is still flashing. Somebody has typed HELP under it.
* [Walk over to Boo Muncher] -> boo_muncher
* [Try the Claw of Destiny] -> claw_machine
* [Check on Star Lancer] -> star_lancer

=== boo_muncher ===
Inside the maze, a small pink ghost has stopped chasing anything. It presses its face to the glass.
"Psst. ACE. That's you, right? I have been going around this maze since 1987. Every power pellet, the same four corners. Could you... let me out?"
* {tokens > 0} [Insert a token and play]
    ~ tokens -= 1
    ~ score += 250
    The cabinet gobbles the token with a happy WAKKA. You steer through the maze while the ghost floats along beside your dot, pointing out shortcuts it has memorised for forty years.
* [Ask the ghost how it knows your name]
    "I read it off your shoes," says the ghost. "Just kidding. You put ACE on the Star Lancer high score board six hundred times."
    Fair.
* [Knock on the glass]
    The ghost jumps so hard it leaves a little cloud behind. "Rude," it says. "But effective. The glass is loose."
- The maze has an exit you have never seen before: a gap in the wall marked with a tiny blinking arrow.
* [Guide the ghost to the hidden exit]
    ~ friend = "ghost"
    ~ score += 500
    The ghost zips through the gap and right out of the screen, a pink puff hovering at your shoulder.
    "Name's Pinkie. I owe you one. I know every secret passage in this building. Well. Four of them."
    -> back_hall
* [Eat the power pellet first]
    ~ friend = "ghost"
    ~ courage += 1
    You gobble the power pellet, and for ten glorious seconds the ghost turns blue and very, very worried.
    "NOT FUNNY," it wails, and then laughs, and follows you out of the screen anyway.
    -> back_hall

=== claw_machine ===
The Claw of Destiny rattles on its rails. The plush toys inside all turn to look at you at once.
A hand-lettered sign taped to the glass reads: EVERY CLAW TELLS A FORTUNE.
* {tokens > 0} [Insert a token]
    ~ tokens -= 1
    The claw whirs into life, and you get the strong feeling it is steering itself a little.
* [Read the fine print on the sign]
    ~ score += 50
    In very small letters: FORTUNES NOT GUARANTEED. CLAW NOT RESPONSIBLE FOR DESTINY. DO NOT FEED THE PLUSHIES AFTER MIDNIGHT.
    It is 12:04.
* [Shake the cabinet]
    ~ courage += 1
    The whole case wobbles. A plush robot with one crooked antenna tumbles into the prize chute by itself.
- Something in the pile is glowing: a small plush robot holding a paper scroll.
* [Grab the plush robot]
    ~ friend = "claw"
    The robot's LED eyes flick on. "GREETINGS. I AM BOLT. I CONTAIN ONE (1) FORTUNE."
    It hands you the scroll. It says: THE WAY OUT IS THROUGH THE PRIZE ROOM.
    -> back_hall
* [Grab the scroll only]
    ~ score += 200
    You leave the robot waving sadly and unroll the scroll: THE WAY OUT IS THROUGH THE PRIZE ROOM.
    Behind you, there is a small determined thud. The robot has climbed out of the chute by itself.
    ~ friend = "claw"
    "I AM BOLT," it says. "I AM COMING ALSO."
    -> back_hall

=== star_lancer ===
Up close, the HELP under your high score is blinking in three colours. The little spaceship on the title screen is doing nervous loops.
"Finally," says a voice from the speaker. "Pilot! The Space Slugs got out of level nine. They are in the building."
* [Ask what a Space Slug is]
    "Green. Slow. Eats electricity," says the ship. "If they reach the fuse box, this whole arcade goes dark. Forever. Also you would be locked in. Forever."
* {tokens > 0} [Insert a token and take the controls]
    ~ tokens -= 1
    ~ score += 300
    Your hands know the moves before you do. Dodge, loop, FIRE. Two slugs on the screen pop like green bubble gum.
- "I can help," says the ship. "But somebody has to carry me."
* [Pull the ship out of the screen]
    ~ friend = "lancer"
    ~ courage += 1
    You press your palm to the glass and it goes warm. When you pull back, a tiny pixel spaceship is hovering over your hand, engines purring.
    "Call me Comet," it says. "Let's go."
    -> back_hall
* [Leave it and run]
    You back away. Something behind you goes SPLORP.
    A green slug the size of a shoebox is sliding along the carpet toward the back of the hall, leaving a trail that glows.
    * * [Follow the glowing trail]
        ~ courage += 1
        You follow it, at a polite distance. The spaceship zips out of its screen after you, grumbling about pilots these days.
        ~ friend = "lancer"
        -> back_hall
    * * [Go back for the spaceship]
        The ship is waiting with its little engines crossed, somehow. "Knew you would be back." It hops onto your shoulder.
        ~ friend = "lancer"
        -> back_hall

=== back_hall ===
The back hallway smells like popcorn and hot dust. At the end there are two doors: one says STAFF ONLY, the other says PRIZE ROOM.
Between them, an air vent rattles.
{friend == "ghost": Pinkie floats up to the vent and sniffs it. "Secret passage number two," it whispers.}
{friend == "claw": Bolt points at the PRIZE ROOM door with his crooked antenna. "AS FORETOLD."}
{friend == "lancer": Comet hovers at the STAFF ONLY door. "Slug trail goes in here. Fuse box is in here too. Not a coincidence."}
* [Open the STAFF ONLY door]
    The door swings open on the staff room.
    -> janitor
* [Open the PRIZE ROOM door] -> prize_room
* [Crawl into the vent]
    ~ courage += 1
    You squeeze into the vent. It is dusty, cramped, and smells like forty years of popcorn. After a long crawl you drop out of a ceiling panel into the staff room.
    -> janitor

=== janitor ===
Lockers, a kettle, a calendar from 1994. And in the corner, the janitor-bot, which has just switched itself on.
It is the size of a fridge, it has a mop for one hand and a vacuum for the other, and its single red eye is sweeping the room.
"AFTER HOURS," it booms. "ALL CUSTOMERS WILL BE TIDIED."
* [Freeze like a statue]
    You hold perfectly still. The red eye sweeps over you, pauses... and moves on. It thinks you are a cardboard cut-out of a famous racing driver.
    You will never be this proud of anything again.
    -> fuse_box
* {friend == "ghost"} [Ask Pinkie to distract it]
    Pinkie zooms around the robot's head in a pink blur, going WAKKA WAKKA WAKKA. The janitor-bot spins after it, mopping the air.
    ~ score += 300
    -> fuse_box
* {friend == "claw"} [Ask Bolt to talk to it]
    Bolt waddles up and beeps something in robot. The janitor-bot beeps back. They seem to be discussing the weather.
    "HE SAYS WE MAY PASS," Bolt reports. "HE SAYS ALSO HE IS LONELY."
    ~ score += 300
    -> fuse_box
* {friend == "lancer"} [Ask Comet to fire a warning shot]
    Comet lets off a tiny PEW. It hits the light switch, the lights flicker, and the janitor-bot goes off to investigate the switch very thoroughly.
    ~ score += 300
    -> fuse_box
* [Run for it]
    ~ courage += 1
    You sprint past. The mop swipes, the vacuum roars, and you slide under a table on a sheet of freshly polished floor.
    It is both the worst and best moment of your night.
    -> fuse_box

=== prize_room ===
The prize room is a cave of treasure: rubber balls, slinky springs, sticky hands, and on the top shelf a glowing ticket marked MASTER KEY, price 10,000 tickets.
You have {score} points. The machine by the door converts points into tickets, one for one.
* {score >= 600} [Trade your points for the master key]
    ~ score -= 600
    ~ has_key = true
    The machine whirs and spits out a long, long ribbon of tickets. The MASTER KEY is cold and surprisingly heavy. The price tag was apparently a suggestion.
    -> fuse_box
* [Try to climb the shelves]
    ~ courage += 1
    The shelves wobble. Sticky hands rain down on you. You do not reach the key, but you do find a door behind the shelves, and it leads to...
    -> fuse_box
* [Look for another way out]
    A little sign behind the counter reads FUSE BOX THIS WAY, with an arrow. You follow the arrow.
    -> fuse_box

=== fuse_box ===
The fuse box sits at the end of a narrow service corridor, humming. Next to it: the fire exit, with a bar you only need to push.
Three fat green Space Slugs are slurping their way up the wall toward the fuses.
If they get there, the power dies, the lock fails, and the door stays shut for good.
* [Push the fire exit bar right now]
    -> exit_door
* {tokens > 0} [Throw a token to distract the slugs]
    ~ tokens -= 1
    The token rings off the floor. The slugs turn, slowly, hungrily, toward the shiny thing. Slugs love shiny things. Nobody knows why.
    ~ score += 200
    -> exit_door
* {has_key} [Lock the fuse box with the master key]
    ~ score += 600
    The master key turns with a satisfying clunk. The slugs bump their soft heads against the locked panel, give up, and curl into three glowing green donuts to sleep.
    -> exit_door
* [Shoo the slugs off the wall]
    ~ courage += 1
    You wave your arms and say SHOO in your biggest voice. One slug blinks at you. Then all three peel off the wall and slide back toward the arcade, sulking.
    ~ score += 400
    -> exit_door

=== exit_door ===
You lean on the bar. The door sticks, then gives, and cold night air pours in. Streetlights. The smell of rain. The bus stop, empty.
{friend == "ghost": Pinkie hovers in the doorway. "I... have never been outside," it says quietly.}
{friend == "claw": Bolt stops at the threshold and looks up at the sky. "THE STARS ARE VERY LOW RESOLUTION," he says, impressed.}
{friend == "lancer": Comet's engines flicker. "Pilot. I can fly out there. I can really fly out there."}
* [Take your friend with you]
    ~ score += 1000
    -> ending_together
* [Let your friend decide]
    -> ending_choice
* [Say goodbye at the door]
    -> ending_goodbye

=== ending_together ===
{friend == "ghost": Pinkie drifts out into the rain and does a slow, astonished loop around a streetlight. "No corners," it whispers. "There are no corners out here!"}
{friend == "claw": Bolt rides home in your hood, narrating every car that goes past. Each one, according to him, is a fortune.}
{friend == "lancer": Comet shoots straight up into the clouds, leaves a pixel trail across the whole sky, and comes back down to sit on your shoulder for the bus ride home.}
-> high_score

=== ending_choice ===
{friend == "ghost": Pinkie looks at the rain, then back at the maze, then at you. "Tell you what. I'll haunt the bus stop. Visit me."}
{friend == "claw": Bolt thinks about it for a long time. "I WILL STAY. SOMEONE MUST TELL THE FORTUNES." He salutes with his crooked antenna.}
{friend == "lancer": Comet hovers, thinking. "Level ten still needs a pilot. But you know where to find me. Top of the board."}
-> high_score

=== ending_goodbye ===
You wave goodbye to the Pixel Palace. Behind you, forty screens flicker one last time, like a crowd cheering, and then settle back into sleep.
{courage >= 3: On the way home you realise you were not scared for one single second of it. Well. Maybe one second.|On the way home your knees are still shaking. But you made it.}
-> high_score

=== high_score ===
The next morning, when the manager opens up, every cabinet in the hall shows the same message:
NEW HIGH SCORE: {score}
ENTER YOUR INITIALS
* [Enter YOU]
    Your initials go up on forty screens at once. They stay there for years.
    GAME OVER. THANKS FOR PLAYING.
    -> END
* [Enter AAA]
    A classic. Nobody will ever know it was you. That is the point.
    GAME OVER. THANKS FOR PLAYING.
    -> END
* [Enter the name of your new friend]
    {friend == "ghost": PNK|{friend == "claw": BLT|CMT}} goes up on every screen in the hall. Somewhere in the building, a small voice says YESSS.
    GAME OVER. THANKS FOR PLAYING.
    -> END
