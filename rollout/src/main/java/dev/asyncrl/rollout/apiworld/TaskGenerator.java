package dev.asyncrl.rollout.apiworld;

import dev.asyncrl.rollout.apiworld.ApiTask.Call;
import dev.asyncrl.rollout.apiworld.ApiTask.Check;
import dev.asyncrl.rollout.apiworld.World.Contact;
import dev.asyncrl.rollout.apiworld.World.Event;
import dev.asyncrl.rollout.apiworld.World.Note;
import dev.asyncrl.rollout.tools.OrderedMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Makes an apiworld episode from a task instance: a random world (contacts, a week of events, notes, a balance)
 * and a task of the given tier on it. The same instance always gives the same world and task.
 */
final class TaskGenerator {

  private static final List<String> FIRST = List.of("Ada", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hugo",
      "Iris", "Jonas", "Kemal", "Lena", "Mateo", "Nina", "Omar", "Priya");
  private static final List<String> LAST = List.of("Novak", "Okafor", "Park", "Quinn", "Rossi", "Silva", "Tanaka",
      "Umar", "Varga", "Weber");
  private static final List<String> EVENTS = List.of("Standup", "Design review", "Lunch", "Budget sync", "Dentist",
      "Yoga", "Planning", "Interview", "Coffee", "Retro", "Demo", "Book club");
  private static final List<String> NOTES = List.of("Groceries", "Ideas", "Books to read", "Trip", "Gifts", "Recipes");
  private static final List<String> WORDS = List.of("milk", "bread", "tickets", "passport", "plants", "paint",
      "charger", "umbrella", "stamps", "coffee");
  private static final List<String> MEMOS = List.of("dinner", "concert tickets", "rent share", "taxi", "birthday gift");

  private TaskGenerator() {}

  record Episode(World world, ApiTask task) {}

  /** A kind of task: its tier, the apps whose functions it needs, and how it is made. */
  record Kind(int tier, Set<String> apps, BiFunction<World, SplittableRandom, ApiTask> make) {}

  static final List<Kind> KINDS = List.of(
      new Kind(1, Set.of("notes"), TaskGenerator::createNote),
      new Kind(1, Set.of("contacts"), TaskGenerator::addContact),
      new Kind(1, Set.of("notes"), TaskGenerator::deleteNote),
      new Kind(2, Set.of("contacts", "payments"), TaskGenerator::pay),
      new Kind(2, Set.of("calendar"), TaskGenerator::moveEvent),
      new Kind(2, Set.of("contacts"), TaskGenerator::newPhone),
      new Kind(3, Set.of("contacts", "calendar"), TaskGenerator::moveEveryEventWith),
      new Kind(3, Set.of("calendar", "payments"), TaskGenerator::payAttendees),
      new Kind(3, Set.of("notes", "calendar"), TaskGenerator::appendDay));

  /** The kinds of task of {@code tier} that {@code apps} can do. */
  static List<Kind> kinds(int tier, Collection<String> apps) {
    return KINDS.stream().filter(k -> k.tier() == tier && apps.containsAll(k.apps())).toList();
  }

  /** Instance {@code instance}'s world and task, of one of {@code kinds}. */
  static Episode generate(long instance, List<Kind> kinds) {
    SplittableRandom rng = new SplittableRandom(instance);
    World w = world(rng);
    return new Episode(w, kinds.get(rng.nextInt(kinds.size())).make().apply(w, rng));
  }

  /** Instance {@code instance}'s world and task at {@code tier}, with every app. */
  static Episode generate(long instance, int tier) {
    return generate(instance, kinds(tier, Api.APPS));
  }

  private static <T> T pick(SplittableRandom rng, List<T> from) {
    return from.get(rng.nextInt(from.size()));
  }

  private static World world(SplittableRandom rng) {
    World w = new World();
    List<String> first = new ArrayList<>(FIRST);
    for (int i = 0; i < 6; i++) {
      String name = first.remove(rng.nextInt(first.size())) + " " + pick(rng, LAST);
      Contact c = new Contact(w.newId(), name, phone(rng), name.toLowerCase().replace(' ', '.') + "@mail.example");
      w.contacts.put(c.id(), c);
    }
    List<Integer> ids = new ArrayList<>(w.contacts.keySet());
    List<String> titles = new ArrayList<>(EVENTS);
    for (int i = 0; i < 8; i++) {
      List<Integer> attendees = new ArrayList<>();
      int n = 1 + rng.nextInt(3);
      while (attendees.size() < n) {
        int id = pick(rng, ids);
        if (!attendees.contains(id)) {
          attendees.add(id);
        }
      }
      Event e = new Event(w.newId(), titles.remove(rng.nextInt(titles.size())), pick(rng, World.DAYS),
          9 + rng.nextInt(9), attendees);
      w.events.put(e.id(), e);
    }
    List<String> noteTitles = new ArrayList<>(NOTES);
    for (int i = 0; i < 3; i++) {
      Note note = new Note(w.newId(), noteTitles.remove(rng.nextInt(noteTitles.size())), pick(rng, WORDS));
      w.notes.put(note.id(), note);
    }
    w.balanceCents = 20_000 + 100L * rng.nextInt(300);
    return w;
  }

  private static String phone(SplittableRandom rng) {
    return "555-" + (1000 + rng.nextInt(9000));
  }

  private static boolean isNew(World before, String key) {
    return !key.equals("balance") && switch (key.substring(0, key.indexOf(':'))) {
      case "contact" -> !before.contacts.containsKey(id(key));
      case "event" -> !before.events.containsKey(id(key));
      case "note" -> !before.notes.containsKey(id(key));
      default -> !before.payments.containsKey(id(key));
    };
  }

  private static int id(String key) {
    return Integer.parseInt(key.substring(key.indexOf(':') + 1));
  }

  /** The check {@code what}: some item of an app ({@code app} picks it from the world afterwards) {@code holds}. */
  private static <T> Check any(String what, Function<World, Map<Integer, T>> app, Predicate<T> holds) {
    return new Check(what, after -> app.apply(after).values().stream().anyMatch(holds));
  }

  // --- tier 1: one call, everything given

  private static ApiTask createNote(World w, SplittableRandom rng) {
    String title = "To pack";
    String body = pick(rng, WORDS) + ", " + pick(rng, WORDS);
    World before = w.copy();
    Predicate<Note> created = n -> !before.notes.containsKey(n.id()) && n.title().equals(title);
    return new ApiTask("Create a note titled '" + title + "' with the text '" + body + "'.", 1,
        List.of(any("a new note '" + title + "'", after -> after.notes, created),
            any("the new note '" + title + "' reads '" + body + "'", after -> after.notes,
                created.and(n -> n.body().equals(body)))),
        key -> key.startsWith("note:") && isNew(before, key),
        List.of(new Call("create_note", OrderedMap.of("title", title, "body", body))));
  }

  private static ApiTask addContact(World w, SplittableRandom rng) {
    String name = "Zoe " + pick(rng, LAST);
    String phone = phone(rng);
    String email = "zoe@mail.example";
    World before = w.copy();
    Predicate<Contact> added = c -> !before.contacts.containsKey(c.id()) && c.name().equals(name);
    return new ApiTask("Add " + name + " to my contacts: phone " + phone + ", email " + email + ".", 1,
        List.of(any("a new contact " + name, after -> after.contacts, added),
            any("the new contact " + name + " has phone " + phone, after -> after.contacts,
                added.and(c -> c.phone().equals(phone))),
            any("the new contact " + name + " has email " + email, after -> after.contacts,
                added.and(c -> c.email().equals(email)))),
        key -> key.startsWith("contact:") && isNew(before, key),
        List.of(new Call("add_contact", OrderedMap.of("name", name, "phone", phone, "email", email))));
  }

  private static ApiTask deleteNote(World w, SplittableRandom rng) {
    Note note = pick(rng, new ArrayList<>(w.notes.values()));
    return new ApiTask("Delete note " + note.id() + " ('" + note.title() + "').", 1,
        List.of(new Check("note " + note.id() + " is gone", after -> !after.notes.containsKey(note.id()))),
        key -> key.equals("note:" + note.id()),
        List.of(new Call("delete_note", OrderedMap.of("note_id", note.id()))));
  }

  // --- tier 2: a lookup, then one change

  private static ApiTask pay(World w, SplittableRandom rng) {
    Contact c = pick(rng, new ArrayList<>(w.contacts.values()));
    long cents = 500L * (1 + rng.nextInt(10));
    String memo = pick(rng, MEMOS);
    World before = w.copy();
    return new ApiTask("Send $" + Api.dollars(cents) + " to " + c.name() + " for the " + memo + ", with the memo '"
        + memo + "'.", 2,
        List.of(any("a payment of " + Api.dollars(cents) + " to contact " + c.id() + " with the memo",
                after -> after.payments, p -> !before.payments.containsKey(p.id()) && p.contactId() == c.id()
                    && p.cents() == cents && p.memo().equals(memo)),
            new Check("the balance went down by the amount", after -> after.balanceCents == before.balanceCents - cents)),
        key -> key.equals("balance") || key.startsWith("payment:") && isNew(before, key),
        List.of(new Call("search_contacts", OrderedMap.of("query", c.name())),
            new Call("send_payment", OrderedMap.of("contact_id", c.id(), "amount", Api.dollars(cents), "memo", memo))));
  }

  private static ApiTask moveEvent(World w, SplittableRandom rng) {
    Event e = pick(rng, new ArrayList<>(w.events.values()));
    String day = pick(rng, World.DAYS.stream().filter(d -> !d.equals(e.day())).toList());
    int hour = 9 + rng.nextInt(9);
    return new ApiTask("Move '" + e.title() + "' to " + day + " at " + hour + ":00.", 2,
        List.of(new Check("event " + e.id() + " is on " + day + " at " + hour, after -> after.events.containsKey(e.id())
            && after.events.get(e.id()).day().equals(day) && after.events.get(e.id()).hour() == hour)),
        key -> key.equals("event:" + e.id()),
        List.of(new Call("list_events", OrderedMap.of("day", e.day())),
            new Call("move_event", OrderedMap.of("event_id", e.id(), "day", day, "hour", hour))));
  }

  private static ApiTask newPhone(World w, SplittableRandom rng) {
    Contact c = pick(rng, new ArrayList<>(w.contacts.values()));
    String phone = phone(rng);
    return new ApiTask(c.name() + " has a new phone number: " + phone + ". Update it.", 2,
        List.of(new Check("contact " + c.id() + " has phone " + phone + " and the same email",
            after -> after.contacts.containsKey(c.id()) && after.contacts.get(c.id()).phone().equals(phone)
                && after.contacts.get(c.id()).email().equals(c.email()))),
        key -> key.equals("contact:" + c.id()),
        List.of(new Call("search_contacts", OrderedMap.of("query", c.name().split(" ")[0])),
            new Call("update_contact", OrderedMap.of("contact_id", c.id(), "phone", phone))));
  }

  // --- tier 3: several changes, found by lookups

  private static ApiTask moveEveryEventWith(World w, SplittableRandom rng) {
    Event seed = pick(rng, new ArrayList<>(w.events.values()));
    Contact c = w.contact(pick(rng, seed.attendees()));
    String from = seed.day();
    String to = pick(rng, World.DAYS.stream().filter(d -> !d.equals(from)).toList());
    List<Event> moving = w.events.values().stream().filter(e -> e.day().equals(from) && e.attendees().contains(c.id()))
        .toList();
    List<Check> checks = new ArrayList<>();
    List<Call> solution = new ArrayList<>(List.of(new Call("search_contacts", OrderedMap.of("query", c.name())),
        new Call("list_events", OrderedMap.of("day", from))));
    for (Event e : moving) {
      checks.add(new Check("event " + e.id() + " is on " + to + " at " + e.hour(), after -> after.events.containsKey(e.id())
          && after.events.get(e.id()).day().equals(to) && after.events.get(e.id()).hour() == e.hour()));
      solution.add(new Call("move_event", OrderedMap.of("event_id", e.id(), "day", to)));
    }
    return new ApiTask("Move every " + from + " event with " + c.name() + " to " + to + ", at the same times.", 3,
        checks, key -> moving.stream().anyMatch(e -> key.equals("event:" + e.id())), solution);
  }

  private static ApiTask payAttendees(World w, SplittableRandom rng) {
    Event e = pick(rng, new ArrayList<>(w.events.values()));
    long cents = 100L * (5 + rng.nextInt(20));
    String memo = e.title().toLowerCase();
    World before = w.copy();
    List<Check> checks = new ArrayList<>();
    List<Call> solution = new ArrayList<>(List.of(new Call("list_events", Map.of()),
        new Call("get_event", OrderedMap.of("event_id", e.id()))));
    for (int contact : e.attendees()) {
      checks.add(any("contact " + contact + " got " + Api.dollars(cents), after -> after.payments,
          p -> !before.payments.containsKey(p.id()) && p.contactId() == contact && p.cents() == cents
              && p.memo().equals(memo)));
      solution.add(new Call("send_payment", OrderedMap.of("contact_id", contact, "amount", Api.dollars(cents), "memo", memo)));
    }
    long total = cents * e.attendees().size();
    checks.add(new Check("the balance went down by " + Api.dollars(total),
        after -> after.balanceCents == before.balanceCents - total));
    return new ApiTask("Pay each attendee of '" + e.title() + "' $" + Api.dollars(cents) + ", with the memo '" + memo
        + "'.", 3, checks, key -> key.equals("balance") || key.startsWith("payment:") && isNew(before, key), solution);
  }

  private static ApiTask appendDay(World w, SplittableRandom rng) {
    Note note = pick(rng, new ArrayList<>(w.notes.values()));
    String day = pick(rng, World.DAYS.stream().filter(d -> w.events.values().stream().anyMatch(e -> e.day().equals(d)))
        .toList());
    List<Event> events = w.events.values().stream().filter(e -> e.day().equals(day))
        .sorted(Comparator.comparingInt(Event::hour)).toList();
    List<Check> checks = new ArrayList<>();
    List<Call> solution = new ArrayList<>(List.of(new Call("list_notes", Map.of()),
        new Call("list_events", OrderedMap.of("day", day))));
    for (Event e : events) {
      checks.add(new Check("note " + note.id() + " has a line '" + e.title() + "'", after -> after.notes.containsKey(note.id())
          && after.notes.get(note.id()).body().startsWith(note.body())
          && after.notes.get(note.id()).body().substring(note.body().length()).lines().anyMatch(l -> l.strip()
              .equals(e.title()))));
      solution.add(new Call("append_to_note", OrderedMap.of("note_id", note.id(), "text", e.title())));
    }
    return new ApiTask("Add the title of each of my " + day + " events to the note '" + note.title() + "', one per line.",
        3, checks, key -> key.equals("note:" + note.id()), solution);
  }
}
