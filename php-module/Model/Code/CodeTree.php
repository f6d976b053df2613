<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Code;

/**
 * Walks the store's code in byte order of relative path, resuming after a cursor without revisiting
 * what came before it: directories wholly before the cursor are skipped unread.
 *
 * In the manifest: app/code, app/design and vendor/magento (recursively), the .php files and .htaccess
 * directly in pub/, app/etc/*.xml and the root .htaccess. Never app/etc/env.php (nor config.php).
 * Symbolic links are listed, not followed (their entry hashes the link target's path).
 */
final class CodeTree
{
    /** Recursive roots and single-level globs, relative to the Magento root. */
    public const TREES = ['app/code', 'app/design', 'vendor/magento'];
    public const GLOBS = ['.htaccess' => '', 'app/etc' => '/\.xml$/', 'pub' => '/(\.php|^\.htaccess)$/'];

    public function __construct(private readonly string $root)
    {
    }

    /**
     * Relative paths after $after (exclusive), in byte order.
     *
     * @return \Generator<int, string>
     */
    public function paths(?string $after): \Generator
    {
        $starts = [];
        foreach (self::TREES as $tree) {
            $starts[$tree . '/'] = ['tree', $tree];
        }
        foreach (self::GLOBS as $dir => $pattern) {
            $starts[$dir === '.htaccess' ? '.htaccess' : $dir . '/'] = ['glob', $dir];
        }
        // "app/code/" < "app/design/" < "app/etc/" < "pub/" < "vendor/magento/": no two of them interleave.
        ksort($starts, SORT_STRING);
        foreach ($starts as $prefix => [$kind, $path]) {
            if ($after !== null && strcmp($prefix, $after) < 0 && !str_starts_with($after, $prefix)) {
                continue;
            }
            if ($kind === 'tree') {
                yield from $this->walk($path, $after);
            } elseif ($path === '.htaccess') {
                if (($after === null || strcmp($path, $after) > 0) && $this->isEntry($path)) {
                    yield $path;
                }
            } else {
                yield from $this->glob($path, self::GLOBS[$path], $after);
            }
        }
    }

    /**
     * @return array{size: int, mtime: int, ctime: int, sha256: ?string}|null null when gone since listed
     */
    public function describe(string $relative, int $changedSince): ?array
    {
        $absolute = $this->root . '/' . $relative;
        $stat = @lstat($absolute);
        if ($stat === false) {
            return null;
        }
        $link = is_link($absolute);
        $hash = null;
        if ($stat['mtime'] >= $changedSince || $stat['ctime'] >= $changedSince) {
            $hash = $link ? hash('sha256', 'symlink:' . (string) readlink($absolute)) : @hash_file('sha256', $absolute);
            if ($hash === false) {
                return null;
            }
        }
        return ['size' => (int) $stat['size'], 'mtime' => (int) $stat['mtime'], 'ctime' => (int) $stat['ctime'],
            'sha256' => $hash];
    }

    /**
     * @return \Generator<int, string>
     */
    private function walk(string $dir, ?string $after): \Generator
    {
        $names = @scandir($this->root . '/' . $dir, SCANDIR_SORT_NONE);
        if ($names === false) {
            return;
        }
        $entries = [];
        foreach ($names as $name) {
            if ($name === '.' || $name === '..') {
                continue;
            }
            $path = $dir . '/' . $name;
            $absolute = $this->root . '/' . $path;
            // A directory sorts as "name/": that is where its files fall among its siblings.
            $entries[is_dir($absolute) && !is_link($absolute) ? $name . '/' : $name] = $path;
        }
        ksort($entries, SORT_STRING);
        foreach ($entries as $key => $path) {
            if (str_ends_with($key, '/')) {
                if ($after !== null && strcmp($path . '/', $after) < 0 && !str_starts_with($after, $path . '/')) {
                    continue;
                }
                yield from $this->walk($path, $after);
            } elseif ($after === null || strcmp($path, $after) > 0) {
                yield $path;
            }
        }
    }

    /**
     * @return \Generator<int, string>
     */
    private function glob(string $dir, string $pattern, ?string $after): \Generator
    {
        $names = @scandir($this->root . '/' . $dir, SCANDIR_SORT_NONE);
        if ($names === false) {
            return;
        }
        $paths = [];
        foreach ($names as $name) {
            $path = $dir . '/' . $name;
            if (preg_match($pattern, $name) === 1 && $this->isEntry($path)) {
                $paths[] = $path;
            }
        }
        sort($paths, SORT_STRING);
        foreach ($paths as $path) {
            if ($after === null || strcmp($path, $after) > 0) {
                yield $path;
            }
        }
    }

    private function isEntry(string $relative): bool
    {
        $absolute = $this->root . '/' . $relative;
        return is_link($absolute) || is_file($absolute);
    }
}
