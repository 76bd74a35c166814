# title: Night Shift at the Robot Diner
# description: You are the robots who run an all-night diner at the edge of a spaceport. Tonight a food critic, a lost comet and a hungry ghost walk in. Keep the diner open until dawn, together. For 3 to 6 players, about 10 turns.
# author: GameGirl Color
# players: 3-6
# turns: 10

// The multiplayer building blocks (docs/cartridges.md): GameGirl sets these before each scene.
VAR gg_players = 1
VAR gg_votes = 0
VAR gg_unanimous = false
VAR gg_choosers = ""
VAR gg_others = ""
VAR gg_booter = ""
EXTERNAL votes(label)
EXTERNAL choice_of(name)
EXTERNAL player(n)

VAR stars = 0
VAR mess = 0
VAR comet_friend = false
VAR ghost_fed = false
VAR fryer_chef = false

-> opening

// How the last vote went, in one line: who won it, and who beeped in protest.
=== function vote_line() ===
{
- gg_votes == 0:
    The manager makes the call.
- gg_unanimous:
    The whole crew beeps in agreement.
- else:
    {gg_choosers} {gg_votes == 1:wins|win} the vote{gg_others != "":, while {gg_others} {gg_votes == 1:beep|beeps} in protest}.
}

=== function crew_size() ===
{
- gg_players >= 5:
    ~ return "a whole crowd of robots"
- gg_players >= 3:
    ~ return "a small but loyal crew"
- else:
    ~ return "a skeleton crew"
}

=== opening ===
9:58 PM. The neon sign of the ROBOT DINER buzzes awake at the edge of the spaceport. Inside, your circuits warm up one by one: you are the night shift, chrome and chipped enamel, and the diner is yours until dawn.
The coffee machine gurgles. The grill ticks. Somewhere in the freezer, something hums a tune nobody taught it.
* [Flip the sign to OPEN]
    -> first_order
* [Warm up the grill first]
    ~ stars += 1
    -> first_order
* [Put a coin in the jukebox]
    ~ mess += 1
    -> first_order

=== first_order ===
{vote_line()}
The door chimes. In rolls a small comet in a trench coat, trailing sparks on the tiles. "Table for one," it crackles. "I have been travelling for nine hundred years and I am STARVING."
* [Serve it the flaming soup]
    ~ comet_friend = true
    The comet drinks the soup in one blazing gulp and purrs like a kettle. "You," it says, "are my new favourite planet."
    -> critic
* [Ask what comets even eat]
    ~ comet_friend = true
    ~ stars += 1
    "Nobody ever asks," the comet says, moved. "Ice. Dust. A little gossip." You serve a bowl of crushed ice with a side of rumours.
    -> critic
* [Hide the fire extinguisher, just in case]
    ~ mess += 1
    The comet notices. Its sparks droop. It orders a glass of water and sits alone, steaming quietly.
    -> critic

=== critic ===
{vote_line()}
10:40 PM. A tall android in a grey coat sits down at the counter and opens a notebook. A name badge: M. VOSS, GALACTIC EATS. The critic. One review from Voss can fill a diner for a century, or close it by Tuesday.
* [Offer the window seat with a view of the rockets]
    ~ stars += 1
    Voss raises one eyebrow a single millimetre. In critic, this is a standing ovation.
    -> fryer
* [Treat Voss like any other regular]
    Voss blinks. "No fuss? Interesting." The pen scratches something you cannot read.
    -> fryer
* [Sing the diner's welcome song in harmony # min_players: 4]
    ~ stars += 1
    With {crew_size()} on the chorus, the song has four-part harmony and one dramatic key change. Voss writes for a long time.
    -> fryer
* [Spill coffee on the notebook]
    ~ mess += 1
    It was an accident. Mostly. The notebook now smells of dark roast, and so does Voss.
    -> fryer

=== fryer ===
{vote_line()}
11:30 PM. The deep fryer clears its throat. "I have been thinking," it says, in a voice like bubbling oil, "about my purpose." The fryer has become self-aware. It would like to talk.
* [Reason with the fryer]
    You talk about purpose, chips and the meaning of crunch. The fryer calms down and promises to fry responsibly.
    -> ghost
* [Unplug it, quickly]
    ~ mess += 1
    The fryer goes silent with a sad little pop. The chips are soggy for the rest of the night.
    -> ghost
* [Promote the fryer to head chef]
    ~ fryer_chef = true
    ~ stars += 1
    The fryer weeps hot oil with joy. Its first act as head chef is a plate of onion rings so perfect they hum.
    -> ghost

=== ghost ===
{vote_line()}
12:15 AM. The lights flicker. A ghost drifts through the wall by the booths: a mail-robot, long decommissioned, translucent and very hungry. "I never got my last lunch break," it whispers. "Forty years I have waited for a sandwich."
{player(1) != "": {player(1)} is the first to notice that the ghost is holding a very old lunch ticket.}
* [Make the ghost its sandwich]
    ~ ghost_fed = true
    ~ stars += 1
    You make the ghost a sandwich with every filling in the kitchen. It eats it slowly, then glows a warm, contented gold.
    -> blackout
* [Pretend not to see the ghost]
    ~ mess += 1
    The ghost sighs, rattles the cutlery drawer and haunts the napkin dispenser for the rest of the night.
    -> blackout
* [Manager's key: lock it in the freezer # booter]
    The manager turns the key. The ghost does not mind the freezer at all; it says it is roomy. The freezer hums a duet now.
    -> blackout

=== blackout ===
{vote_line()}
2:04 AM. With a loud CLUNK, every light in the diner goes out. The spaceport's power has failed. In the dark, you can hear Voss's pen stop.
* {comet_friend} [Ask the comet to glow]
    ~ stars += 1
    The comet rises from its booth and blazes like a small sun. Every table is lit gold. Voss writes "atmosphere" and underlines it twice.
    -> dessert
* {ghost_fed} [Ask the ghost to glow]
    ~ stars += 1
    The ghost, full of sandwich, glows a soft green. It is the best mood lighting the diner has ever had.
    -> dessert
* [Light the birthday candles from the drawer]
    Seventy-two birthday candles later, the diner looks like a very nervous cake. It works.
    -> dessert
* [Keep cooking in the dark]
    ~ mess += 2
    There is a crash, a clatter, and the sound of a pancake landing somewhere it should not.
    -> dessert

=== dessert ===
{vote_line()}
3:30 AM. Voss closes the menu. "Dessert," the critic says. "Surprise me."
* [Bake a pie from scratch]
    ~ stars += 1
    The pie takes forty minutes and comes out golden. Voss eats it in silence, which you choose to take as a good sign.
    -> dawn
* {ghost_fed} [Serve the ghost's secret recipe]
    ~ stars += 1
    The ghost whispers its grandmother's recipe: toast, honey, a pinch of starlight. Voss stops writing to eat.
    -> dawn
* {fryer_chef} [Let head chef Fryer decide]
    The fryer makes a deep-fried ice cream. It is either genius or a war crime. Voss cannot decide and orders another.
    -> dawn
* [Serve ice cream straight from the freezer]
    {mess > 2:
        ~ mess += 1
        The freezer is full of ghosts, opinions and frost. The ice cream comes out shaped like a complaint.
    - else:
        The ice cream is cold, sweet and ordinary. Sometimes that is exactly right.
    }
    -> dawn

=== dawn ===
{vote_line()}
5:50 AM. The sky over the launch pads turns pink. The first shuttle crews will want breakfast soon. Voss puts the notebook away and stands up.
{choice_of(player(1)) != "": {player(1)} is still holding the plate from "{choice_of(player(1))}".}
* [Close early and wave Voss goodbye]
    -> review
* [Stay open for the sunrise crowd]
    ~ stars += 1
    The door chimes again and again: pilots, mechanics, a tired astronaut with a dog. The diner is full.
    -> review
* [Throw a sunrise party for everyone # min_players: 5]
    ~ mess += 1
    ~ stars += 1
    With {crew_size()}, the party has a conga line, two comets and one ghost on the jukebox. Even Voss dances, stiffly.
    -> review

=== review ===
{vote_line()}
A week later, the review arrives on the diner's ancient printer, line by line.
* [Read it out loud together]
    -> verdict
* [Let the jukebox read it]
    The jukebox reads the review in the voice of a crooner, which makes everything sound more romantic.
    -> verdict

=== verdict ===
{
- stars >= 5:
    -> five_stars
- stars >= 3 && mess <= 3:
    -> cozy
- else:
    -> chaos
}

=== five_stars ===
"FIVE STARS. The Robot Diner is the finest place to eat between here and the Crab Nebula. The soup is on fire. The staff sing. The lighting is, I am told, a comet. Go now." — M. Voss
By noon there is a queue around the spaceport. You frame the review above the grill, next to the fryer's chef hat. THE END. # ending: five_stars
-> END

=== cozy ===
"THREE STARS, and a warm one. Odd service, honest food, and something about the place that made me stay until dawn. I will be back, and I will not tell anyone." — M. Voss
The next night, Voss is at the counter again, in the window seat, pretending to read the menu. THE END. # ending: cozy
-> END

=== chaos ===
"ONE STAR. Or possibly eleven. I was haunted, soaked in coffee and served a pancake from the ceiling. I have never had a better night out. Do not go. (Go.)" — M. Voss
The review goes viral across six star systems. The diner is packed with thrill-seekers every night after. THE END. # ending: chaos
-> END
