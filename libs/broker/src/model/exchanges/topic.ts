import type { Binding, Destination } from '../binding';
import { Exchange } from '../exchange';
import type { Message } from '../message';

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  star: TrieNode | undefined;
  hash: TrieNode | undefined;
  destinations: Destination[];
}

/** Cached routing results per key; cleared on any binding change, bounded in size. */
const CACHE_LIMIT = 4096;

/**
 * Topic routing: binding keys are dot-separated words where `*` matches exactly
 * one word and `#` zero or more. Bindings live in a word trie; results are cached
 * per routing key because real traffic reuses a small set of keys.
 */
export class TopicExchange extends Exchange {
  private readonly root: TrieNode = newNode();
  private readonly cache = new Map<string, Destination[]>();

  protected addBinding(binding: Binding): void {
    let node = this.root;
    for (const word of splitKey(binding.routingKey)) {
      if (word === '*') node = node.star ??= newNode();
      else if (word === '#') node = node.hash ??= newNode();
      else {
        let child = node.children.get(word);
        if (child === undefined) node.children.set(word, (child = newNode()));
        node = child;
      }
    }
    node.destinations.push(binding.destination);
    this.cache.clear();
  }

  protected removeBinding(binding: Binding): void {
    const path: TrieNode[] = [this.root];
    let node: TrieNode | undefined = this.root;
    for (const word of splitKey(binding.routingKey)) {
      node = word === '*' ? node.star : word === '#' ? node.hash : node.children.get(word);
      if (node === undefined) return;
      path.push(node);
    }
    const index = node.destinations.indexOf(binding.destination);
    if (index >= 0) node.destinations.splice(index, 1);
    this.prune(path, splitKey(binding.routingKey));
    this.cache.clear();
  }

  route(_message: Message, routingKey: string, out: Destination[]): void {
    let matched = this.cache.get(routingKey);
    if (matched === undefined) {
      const found = new Set<Destination>();
      match(this.root, splitKey(routingKey), 0, found);
      matched = [...found];
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(routingKey, matched);
    }
    for (let i = 0; i < matched.length; i++) out.push(matched[i]!);
  }

  /** Drops trie nodes that no longer lead to any binding. */
  private prune(path: TrieNode[], words: string[]): void {
    for (let depth = words.length; depth > 0; depth--) {
      const node = path[depth]!;
      if (node.destinations.length > 0 || node.children.size > 0 || node.star || node.hash) return;
      const parent = path[depth - 1]!;
      const word = words[depth - 1]!;
      if (word === '*') parent.star = undefined;
      else if (word === '#') parent.hash = undefined;
      else parent.children.delete(word);
    }
  }
}

function newNode(): TrieNode {
  return { children: new Map(), star: undefined, hash: undefined, destinations: [] };
}

/** RabbitMQ splits the empty key into zero words, so "" matches only "" and "#". */
function splitKey(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

function match(node: TrieNode, words: string[], index: number, out: Set<Destination>): void {
  if (index === words.length) {
    for (const destination of node.destinations) out.add(destination);
  } else {
    const child = node.children.get(words[index]!);
    if (child !== undefined) match(child, words, index + 1, out);
    if (node.star !== undefined) match(node.star, words, index + 1, out);
  }
  if (node.hash !== undefined) {
    // '#' swallows zero or more words: try every possible resume point.
    for (let next = index; next <= words.length; next++) match(node.hash, words, next, out);
  }
}
