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
        if ($after === '') {
            $after = null;
        }
        if ($after !== null && (strlen($after) > self::MAX_CURSOR_LENGTH || str_contains($after, "\0"))) {
            throw $this->input->invalid('after', substr($after, 0, 40));
        }
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
                return new CodeManifest($items, $last, false);
            }
            $last = $path;
            $file = $tree->describe($path, $changedSince);
            if ($file === null) {
                continue;
            }
            if ($file['sha256'] !== null) {
                $bytes += $file['size'];
            }
            $items[] = new CodeFile($path, $file['size'], $file['mtime'], $file['ctime'], $file['sha256']);
        }
        return new CodeManifest($items, null, true);
    }
}
