<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Code;

use Magento\Framework\App\Filesystem\DirectoryList;
use MagentoIr\IncidentResponse\Api\Data\CodeManifestInterface;
use MagentoIr\IncidentResponse\Api\GetCodeManifestInterface;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\CodeFile;
use MagentoIr\IncidentResponse\Model\Data\CodeManifest;

/**
 * Pages through the code manifest. A page ends at pageSize files, or when it has read BYTE_BUDGET bytes or
 * spent TIME_BUDGET seconds, whichever comes first, so a 75,000-file tree is hashed over several requests
 * well inside PHP's max_execution_time and memory_limit; the cursor is the last path returned.
 */
final class GetCodeManifest implements GetCodeManifestInterface
{
    public const MAX_PAGE_SIZE = 10000;
    public const TIME_BUDGET = 10.0;
    public const BYTE_BUDGET = 268435456;
    public const MAX_CURSOR_LENGTH = 4096;

    /** @var (callable(): float)|null */
    private $clock;

    public function __construct(
        private readonly DirectoryList $directoryList,
        private readonly Input $input,
        ?callable $clock = null
    ) {
        $this->clock = $clock;
    }

    /**
     * @inheritdoc
     */
    public function execute(
        ?string $after = null,
        int $pageSize = 1000,
        int $changedSince = 0
    ): CodeManifestInterface {
        $pageSize = $this->input->intRange('pageSize', $pageSize, 1, self::MAX_PAGE_SIZE);
        $changedSince = $this->input->intRange('changedSince', $changedSince, 0, PHP_INT_MAX);
        $after = $this->cursorPath($after);
        $clock = $this->clock ?? static fn (): float => microtime(true);
        $started = $clock();
        $tree = new CodeTree(rtrim((string) $this->directoryList->getRoot(), '/'));
        $items = [];
        $bytes = 0;
        $last = null;
        foreach ($tree->paths($after) as $path) {
            $full = count($items) >= $pageSize || $bytes >= self::BYTE_BUDGET
                || $clock() - $started >= self::TIME_BUDGET;
            if ($items !== [] && $full) {
                return new CodeManifest($items, self::cursor((string) $last), false);
            }
            $last = $path;
            $file = $tree->describe($path, $changedSince);
            if ($file === null) {
                continue;
            }
            if ($file['sha256'] !== null) {
                $bytes += $file['size'];
            }
            $items[] = new CodeFile(
                self::displayPath($path),
                $file['size'],
                $file['mtime'],
                $file['ctime'],
                $file['sha256']
            );
        }
        return new CodeManifest($items, null, true);
    }

    /**
     * The cursor for a path: base64url of its bytes, so a file name that is not UTF-8 (which JSON
     * cannot carry) still resumes exactly after itself.
     */
    public static function cursor(string $path): string
    {
        return rtrim(strtr(base64_encode($path), '+/', '-_'), '=');
    }

    /**
     * A path as listed: itself, or, when its name is not valid UTF-8, with each invalid byte as "?"
     * (listed rather than skipped: an attacker must not hide a file behind its name).
     */
    public static function displayPath(string $path): string
    {
        return mb_check_encoding($path, 'UTF-8') ? $path : mb_scrub($path, 'UTF-8');
    }

    /**
     * @throws \Magento\Framework\Exception\InputException
     */
    private function cursorPath(?string $after): ?string
    {
        if ($after === null || $after === '') {
            return null;
        }
        $path = strlen($after) <= self::MAX_CURSOR_LENGTH && preg_match('/^[A-Za-z0-9_-]+$/', $after) === 1
            ? base64_decode(strtr($after, '-_', '+/'), true)
            : false;
        if ($path === false || $path === '' || str_contains($path, "\0")) {
            throw $this->input->invalid('after', substr($after, 0, 40));
        }
        return $path;
    }
}
