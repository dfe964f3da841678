package dev.asyncrl.rollout.apiworld;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state of one apiworld episode: a person's contacts, calendar, notes and wallet. Every item has an id,
 * unique across the world; items are immutable records, replaced when changed, so two worlds compare item by
 * item ({@link #changedKeys}).
 */
final class World {

  static final List<String> DAYS = List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday");

  record Contact(int id, String name, String phone, String email) {}

  record Event(int id, String title, String day, int hour, List<Integer> attendees) {
    Event {
      attendees = List.copyOf(attendees);
    }
  }

  record Note(int id, String title, String body) {}

  /** Money sent, in cents. */
  record Payment(int id, int contactId, long cents, String memo) {}

  final TreeMap<Integer, Contact> contacts = new TreeMap<>();
  final TreeMap<Integer, Event> events = new TreeMap<>();
  final TreeMap<Integer, Note> notes = new TreeMap<>();
  final TreeMap<Integer, Payment> payments = new TreeMap<>();
  long balanceCents;
  private int nextId = 1;

  int newId() {
    return nextId++;
  }

  World copy() {
    World w = new World();
    w.contacts.putAll(contacts);
    w.events.putAll(events);
    w.notes.putAll(notes);
    w.payments.putAll(payments);
    w.balanceCents = balanceCents;
    w.nextId = nextId;
    return w;
  }

  /** Every item as {@code kind:id} (and {@code balance}) with its value, for comparing worlds. */
  private Map<String, Object> items() {
    Map<String, Object> all = new TreeMap<>();
    contacts.values().forEach(c -> all.put("contact:" + c.id(), c));
    events.values().forEach(e -> all.put("event:" + e.id(), e));
    notes.values().forEach(n -> all.put("note:" + n.id(), n));
    payments.values().forEach(p -> all.put("payment:" + p.id(), p));
    all.put("balance", balanceCents);
    return all;
  }

  /** The keys of items added, removed or changed between {@code this} and {@code after}. */
  Set<String> changedKeys(World after) {
    Map<String, Object> before = items();
    Map<String, Object> now = after.items();
    Set<String> changed = new LinkedHashSet<>();
    for (String key : before.keySet()) {
      if (!Objects.equals(before.get(key), now.get(key))) {
        changed.add(key);
      }
    }
    for (String key : now.keySet()) {
      if (!before.containsKey(key)) {
        changed.add(key);
      }
    }
    return changed;
  }

  Contact contact(int id) {
    return item(contacts, id, "contact");
  }

  Event event(int id) {
    return item(events, id, "event");
  }

  Note note(int id) {
    return item(notes, id, "note");
  }

  /** The item {@code id} of {@code app}; a missing one is the error the model is told. */
  private static <T> T item(Map<Integer, T> app, int id, String kind) {
    T found = app.get(id);
    if (found == null) {
      throw new IllegalArgumentException("no " + kind + " with id " + id);
    }
    return found;
  }
}
