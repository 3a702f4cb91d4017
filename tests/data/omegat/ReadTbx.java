import org.omegat.core.Core;
import org.omegat.core.data.ProjectProperties;
import org.omegat.core.data.RealProject;
import org.omegat.gui.glossary.GlossaryEntry;
import org.omegat.gui.glossary.GlossaryReaderTBX;
import org.omegat.util.ProjectFileStorage;
import java.io.File;
import java.util.List;

/** Read a TBX file with OmegaT's own reader, as the glossary of the project given. */
public class ReadTbx {
    public static void main(String[] args) throws Exception {
        ProjectProperties props = ProjectFileStorage.loadProjectProperties(new File(args[0]));
        Core.setProject(new RealProject(props));
        List<GlossaryEntry> entries = GlossaryReaderTBX.read(new File(args[1]), false);
        System.out.println(entries.size());
        for (GlossaryEntry e : entries) {
            System.out.println(e.getSrcText() + "\t" + e.getLocText());
        }
    }
}
